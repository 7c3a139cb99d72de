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

/** Re-ranks courses after an API write and reports whose rank moved, so exactly those cache entries are dropped. */
@Injectable()
export class StudentRankingService {
  constructor(@InjectModel(Student.name) private readonly students: Model<Student>) {}

  async rerank(courses: Iterable<string>): Promise<RerankResult> {
    const registrations: string[] = [];
    const names: string[] = [];
    for (const code of new Set(courses)) {
      const course = findCourse(code);
      if (!course) continue;
      const before = new Map((await this.snapshot(code)).map((row) => [row._id, row]));
      await rankCourse(this.students.db.db!.collection<Student>(this.students.collection.collectionName), course);
      for (const row of await this.snapshot(code)) {
        const old = before.get(row._id);
        if (!old || old.classification !== row.classification || old.status !== row.status) {
          registrations.push(row._id);
          names.push(row.name);
        }
      }
    }
    return { registrations, names };
  }

  private snapshot(course: string): Promise<RankRow[]> {
    return this.students.find({ course }, { name: 1, classification: 1, status: 1 }).lean<RankRow[]>().exec();
  }
}
