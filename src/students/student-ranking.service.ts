import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { findCourse } from './courses';
import { Student } from './schemas/student.schema';
import { rankCourse } from './student-ranking';

interface RankRow {
  _id: string;
  name: string;
  classification: number | null;
  status: string | null;
}

export interface RerankResult {
  /** students whose classification or status changed */
  registrations: string[];
  names: string[];
}

/** Re-ranks an edition's courses after an API write and reports whose rank moved, so exactly those cache entries are dropped. */
@Injectable()
export class StudentRankingService {
  constructor(@InjectModel(Student.name) private readonly students: Model<Student>) {}

  async rerank(rankings: Iterable<{ edition: string; course: string }>): Promise<RerankResult> {
    const registrations: string[] = [];
    const names: string[] = [];
    const distinct = new Map([...rankings].map((r) => [`${r.edition} ${r.course}`, r]));
    for (const { edition, course: code } of distinct.values()) {
      const course = findCourse(code);
      if (!course) continue;
      const before = new Map((await this.snapshot(edition, code)).map((row) => [row._id, row]));
      await rankCourse(this.students.db.db!.collection<Student>(this.students.collection.collectionName), edition, course);
      for (const row of await this.snapshot(edition, code)) {
        const old = before.get(row._id);
        if (!old || old.classification !== row.classification || old.status !== row.status) {
          registrations.push(row._id);
          names.push(row.name);
        }
      }
    }
    return { registrations, names };
  }

  private snapshot(edition: string, course: string): Promise<RankRow[]> {
    return this.students.find({ edition, course }, { name: 1, classification: 1, status: 1 }).lean<RankRow[]>().exec();
  }
}
