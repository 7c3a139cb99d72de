import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { ChangeFeedModule } from '../infra/cache';
import { CollectionsController } from './collections/collections.controller';
import { CollectionsService } from './collections/collections.service';
import { DocumentsController } from './documents/documents.controller';
import { DocumentsService } from './documents/documents.service';
import { FileInspector } from './files/file-inspector';
import { HeavyWork } from './heavy-work/heavy-work.service';
import { COLLECTIONS_FEED, DOCUMENTS_FEED } from './imagedoc.feed';
import { ImagedocSeeder } from './imagedoc.seeder';
import { OperationsController } from './operations/operations.controller';
import { OperationsService } from './operations/operations.service';
import { TranslateClient } from './operations/translate.client';
import { DocCollection, DocCollectionSchema } from './schemas/doc-collection.schema';
import { DocFile, DocFileSchema } from './schemas/doc-file.schema';
import { FILE_STORAGE } from './storage/file-storage';
import { LocalFileStorage } from './storage/local-file-storage';

/** ImageDoc (after the ImageDoc design): users' collections of images and PDFs, stored files and cached operations. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: DocCollection.name, schema: DocCollectionSchema },
      { name: DocFile.name, schema: DocFileSchema },
    ]),
    ChangeFeedModule.forFeature([COLLECTIONS_FEED, DOCUMENTS_FEED]),
  ],
  controllers: [CollectionsController, DocumentsController, OperationsController],
  providers: [
    CollectionsService,
    DocumentsService,
    OperationsService,
    FileInspector,
    HeavyWork,
    TranslateClient,
    ImagedocSeeder,
    // The default driver; another (e.g. S3) only has to implement FileStorage.
    { provide: FILE_STORAGE, inject: [ENV], useFactory: (env: Env) => new LocalFileStorage(env.STORAGE_DIR) },
  ],
})
export class ImagedocModule {}
