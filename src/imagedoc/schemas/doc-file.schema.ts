import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

export const IMAGE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export const DOCUMENT_MIME_TYPES = [...IMAGE_MIME_TYPES, 'application/pdf'] as const;
export type DocumentMimeType = (typeof DOCUMENT_MIME_TYPES)[number];

/** Which operation produced a derived document, from which source. */
@Schema({ _id: false, versionKey: false })
export class DerivedFrom {
  @Prop({ type: Types.ObjectId, required: true })
  document_id: Types.ObjectId;

  @Prop({ required: true })
  sha256: string;

  @Prop({ required: true })
  operation: string;

  @Prop({ type: Object, required: true })
  params: Record<string, unknown>;
}

@Schema({ _id: false, versionKey: false })
export class DocumentMetadata {
  /** Username of the uploader (or of the user who ran the operation). */
  @Prop({ required: true })
  author: string;

  /** When the file was stored. */
  @Prop({ required: true })
  date: Date;

  /** Detected from the content, never taken from the name or the request header. */
  @Prop({ type: String, required: true, enum: DOCUMENT_MIME_TYPES })
  mime_type: DocumentMimeType;

  @Prop({ required: true })
  size: number;

  @Prop({ required: true, index: true })
  sha256: string;

  @Prop()
  width?: number;

  @Prop()
  height?: number;

  @Prop()
  page_count?: number;

  /** The client's file name, kept as information only (base name, never used in a path). */
  @Prop()
  original_name?: string;

  @Prop({ type: DerivedFrom })
  derived_from?: DerivedFrom;
}

/** One stored file (the ImageDoc design: "Documentos"): image or PDF, with its metadata. */
@Schema({ collection: 'documents', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } })
export class DocFile {
  @Prop({ type: Types.ObjectId, required: true, index: true })
  collection_id: Types.ObjectId;

  /** Owner, copied from the collection so access checks need one query. */
  @Prop({ type: Types.ObjectId, required: true, index: true })
  user_id: Types.ObjectId;

  @Prop({ required: true, trim: true })
  title: string;

  /** Where the file is served: `/documents/<id>/file` (the storage driver's location stays internal). */
  @Prop({ required: true })
  file_url: string;

  /** Generated key in the storage driver; internal. */
  @Prop({ required: true, select: false })
  storage_key: string;

  @Prop({ type: DocumentMetadata, required: true })
  metadata: DocumentMetadata;

  created_at: Date;
  updated_at: Date;
}

export const DocFileSchema = SchemaFactory.createForClass(DocFile);
