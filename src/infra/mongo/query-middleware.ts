import type { MongooseQueryMiddleware } from 'mongoose';

/** Mongoose's query middleware that reads. */
export const READS = ['countDocuments', 'distinct', 'estimatedDocumentCount', 'find', 'findOne'] satisfies MongooseQueryMiddleware[];

/** Mongoose's query middleware that writes (`insertMany`, `bulkWrite` and saves are not query middleware). */
export const WRITES = [
  'findOneAndDelete',
  'findOneAndReplace',
  'findOneAndUpdate',
  'replaceOne',
  'updateMany',
  'updateOne',
  'deleteMany',
  'deleteOne',
] satisfies MongooseQueryMiddleware[];
