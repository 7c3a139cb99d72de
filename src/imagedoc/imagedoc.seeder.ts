import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { createProgress } from '../common/progress';
import { ModuleSeeder, Seeder, SeedOptions, SeedSummary } from '../seeder/seeder';
import { UsersService } from '../users/users.service';
import { CollectionsService } from './collections/collections.service';
import { DocumentsService } from './documents/documents.service';
import { FileInspector } from './files/file-inspector';
import { DocCollection } from './schemas/doc-collection.schema';
import { DocFile } from './schemas/doc-file.schema';

/** Default number of documents (files) generated; spread over the demo users' collections. */
const DEFAULT_DOCUMENTS = 24;
const COLLECTIONS_PER_USER = 2;
const DEMO_USERS = [
  { username: 'demo_manager', role: 'manager' as const },
  { username: 'demo_ana', role: 'user' as const },
  { username: 'demo_bruno', role: 'user' as const },
];
const IMAGE_FORMATS = ['png', 'jpeg', 'webp'] as const;

/**
 * `npm run cli -- seed imagedoc`: demo accounts, their collections and real files (sharp images
 * with a readable caption, pdfkit PDFs with a text layer), stored through the same path as uploads.
 */
@Seeder('imagedoc')
export class ImagedocSeeder implements ModuleSeeder {
  constructor(
    private readonly users: UsersService,
    private readonly collectionsService: CollectionsService,
    private readonly documents: DocumentsService,
    private readonly inspector: FileInspector,
    @InjectModel(DocCollection.name) private readonly collections: Model<DocCollection>,
    @InjectModel(DocFile.name) private readonly files: Model<DocFile>,
  ) {}

  readonly demoCount = 6;

  /** The demo accounts' collections are this seeder's data (other users' data is never touched). */
  async hasData(): Promise<boolean> {
    const demo = await Promise.all(DEMO_USERS.map((d) => this.users.findByUsername(d.username)));
    const ids = demo.flatMap((user) => (user ? [user._id] : []));
    return ids.length > 0 && (await this.collections.exists({ user_id: { $in: ids } })) !== null;
  }

  async seed({ seed, count = DEFAULT_DOCUMENTS, reset }: SeedOptions): Promise<SeedSummary> {
    const started = process.hrtime.bigint();
    // faker and pdfkit are loaded on use: other CLI commands (and --help) do without them.
    const [{ faker }, { generateImage, generatePdf }] = await Promise.all([import('@faker-js/faker'), import('./seed-files.js')]);
    faker.seed(seed);
    const password = `imagedoc-demo-${seed}`;
    const inserted = { users: 0, collections: 0, documents: 0 };

    const owners = [];
    for (const demo of DEMO_USERS) {
      let user = await this.users.findByUsername(demo.username);
      if (user && reset) {
        await this.removeDataOf(user._id);
      }
      if (!user) {
        user = await this.users.create({ username: demo.username, email: `${demo.username}@imagedoc.example`, password, role: demo.role });
        inserted.users++;
      }
      owners.push({ id: String(user._id), username: user.username, role: user.role });
    }

    const progress = createProgress('seed imagedoc', count, 'files');
    const targets: { _id: Types.ObjectId; user_id: Types.ObjectId; owner: string }[] = [];
    for (const owner of owners) {
      for (let c = 0; c < COLLECTIONS_PER_USER; c++) {
        const created = await this.collectionsService.create(owner, {
          title: `${faker.word.adjective()} ${faker.word.noun()} ${faker.date.past({ years: 80 }).getFullYear()}`,
          description: faker.lorem.sentence(),
        });
        targets.push({ _id: created._id, user_id: created.user_id, owner: owner.username });
        inserted.collections++;
      }
    }
    for (let n = 0; n < count; n++) {
      const target = targets[n % targets.length];
      const isPdf = n % 3 === 2;
      const title = faker.lorem.words({ min: 2, max: 4 });
      const data = isPdf
        ? await generatePdf(
            title,
            target.owner,
            faker.helpers.multiple(() => faker.lorem.paragraph(4), { count: { min: 1, max: 3 } }),
          )
        : await generateImage(faker.word.noun().toUpperCase().slice(0, 12), IMAGE_FORMATS[n % 3], faker.number.int(359));
      const facts = await this.inspector.inspect(data, { userId: String(target.user_id) });
      await this.documents.store(target, { username: target.owner }, title, data, facts);
      inserted.documents++;
      progress.tick();
    }
    progress.done();

    return {
      inserted,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      notes: [
        inserted.users === DEMO_USERS.length
          ? `demo accounts (password for all: ${password}): ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}`
          : `demo accounts ${DEMO_USERS.map((u) => u.username).join(', ')} already existed and keep the password they were created with (${password} if seeded with --seed ${seed})`,
        `log in: POST /auth/login {"username":"demo_ana","password":"${password}"}, then Authorize in /docs with the access_token`,
      ],
    };
  }

  /** --reset: the demo user's collections, documents and stored files. */
  private async removeDataOf(userId: Types.ObjectId) {
    const owned = await this.collections.find({ user_id: userId }).lean<(DocCollection & { _id: Types.ObjectId })[]>().exec();
    for (const collection of owned) {
      await this.documents.removeAllOf(collection);
      await this.collectionsService.remove(collection);
    }
    await this.files.deleteMany({ user_id: userId }).exec();
  }
}
