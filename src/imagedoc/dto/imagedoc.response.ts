import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMeta } from '../../common/pagination';
import { DOCUMENT_MIME_TYPES } from '../schemas/doc-file.schema';
import { OPERATION_TYPES } from './operation.dto';

/* Response shapes, for the OpenAPI document. */

const OBJECT_ID = { example: '665f1c2b9d3e4a0012345678', pattern: '^[0-9a-f]{24}$' };

export class CollectionView {
  @ApiProperty(OBJECT_ID) _id: string;
  @ApiProperty(OBJECT_ID) user_id: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String], description: "the documents' ids, in upload order" }) documents: string[];
  @ApiProperty() created_at: Date;
  @ApiProperty() updated_at: Date;
}

export class CollectionPage extends PageMeta {
  @ApiProperty({ type: [CollectionView] }) items: CollectionView[];
}

class DerivedFromView {
  @ApiProperty(OBJECT_ID) document_id: string;
  @ApiProperty() sha256: string;
  @ApiProperty({ enum: OPERATION_TYPES }) operation: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) params: Record<string, unknown>;
}

class DocumentMetadataView {
  @ApiProperty({ description: 'username of the uploader (or of the user who ran the operation)' }) author: string;
  @ApiProperty() date: Date;
  @ApiProperty({ enum: DOCUMENT_MIME_TYPES, description: 'detected from the content' }) mime_type: string;
  @ApiProperty() size: number;
  @ApiProperty() sha256: string;
  @ApiPropertyOptional() width?: number;
  @ApiPropertyOptional() height?: number;
  @ApiPropertyOptional() page_count?: number;
  @ApiPropertyOptional() original_name?: string;
  @ApiPropertyOptional({ type: DerivedFromView }) derived_from?: DerivedFromView;
}

export class DocumentView {
  @ApiProperty(OBJECT_ID) _id: string;
  @ApiProperty(OBJECT_ID) collection_id: string;
  @ApiProperty(OBJECT_ID) user_id: string;
  @ApiProperty() title: string;
  @ApiProperty({ example: '/documents/665f1c2b9d3e4a0012345678/file' }) file_url: string;
  @ApiProperty({ type: DocumentMetadataView }) metadata: DocumentMetadataView;
  @ApiProperty() created_at: Date;
  @ApiProperty() updated_at: Date;
}

export class DocumentPage extends PageMeta {
  @ApiProperty({ type: [DocumentView] }) items: DocumentView[];
}

export class OperationResult {
  @ApiProperty({ enum: OPERATION_TYPES }) type: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the validated parameters, defaults applied' })
  params: Record<string, unknown>;
  @ApiProperty({ description: "the source file's sha256" }) sha256: string;
  @ApiProperty({ description: 'when the result was computed (a cached result keeps its first time)' }) computed_at: Date;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'image edits: { document } (the new document); extract_text: { method, text, page_count?, pages?, confidence? }; ' +
      'translate: { text, source_language, target_language, extracted_with, extracted_chars }',
  })
  result: Record<string, unknown>;
}
