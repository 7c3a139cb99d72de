import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { STUDENT_STATUSES, type StudentStatus } from '../courses';
import type { Scores } from '../scoring';

export const STUDENTS_COLLECTION = 'students';

/**
 * One candidate's published result. `_id` IS the registration number: change events for deletes
 * carry only `_id`, and with this choice they name the cache key to drop directly (no lookup table).
 * The API shows it as `registration`.
 */
@Schema({ collection: STUDENTS_COLLECTION, versionKey: false })
export class Student {
  @Prop({ type: String, required: true })
  _id: string;

  /** The exam edition (`2026-fuvest`): public routes show a result only once its edition is published. */
  @Prop({ required: true })
  edition: string;

  @Prop({ required: true })
  name: string;

  /** 11 digits, valid check digits, unique. */
  @Prop({ required: true, unique: true })
  cpf: string;

  @Prop({ required: true })
  email: string;

  @Prop({ required: true })
  birth_date: Date;

  @Prop({ required: true })
  course: string;

  @Prop({ required: true })
  campus: string;

  @Prop({ type: Object, required: true })
  scores: Scores;

  @Prop({ required: true })
  final_score: number;

  /** Rank within the course (1 = best); null until the course is ranked. */
  @Prop({ type: Number, default: null })
  classification: number | null;

  @Prop({ type: String, enum: [...STUDENT_STATUSES, null], default: null })
  status: StudentStatus | null;

  @Prop({ required: true })
  published_at: Date;
}

export const StudentSchema = SchemaFactory.createForClass(Student);
/** The ranking order within an edition's course; also serves `GET /courses/:course/ranking`. */
StudentSchema.index({ edition: 1, course: 1, final_score: -1, 'scores.essay': -1, birth_date: 1, _id: 1 });
StudentSchema.index({ edition: 1, course: 1, classification: 1 });
StudentSchema.index({ name: 1 });
StudentSchema.index({ status: 1 });
