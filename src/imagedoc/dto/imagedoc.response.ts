import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMeta } from '../../common/pagination';
import { DOCUMENT_MIME_TYPES } from '../schemas/doc-file.schema';
import { OPERATION_TYPES } from './operation.dto';

/* Response shapes, for the OpenAPI document. */

const OBJECT_ID = { example: '665f1c2b9d3e4a0012345678', pattern: '^[0-9a-f]{24}$' };
const SHA256 = { example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', pattern: '^[0-9a-f]{64}$' };

export class CollectionView {
  @ApiProperty(OBJECT_ID) _id: string;
  @ApiProperty(OBJECT_ID) user_id: string;
  @ApiProperty({ example: 'Scanned receipts 2026' }) title: string;
  @ApiProperty({ example: 'Receipts and invoices for the tax return, scanned at 300 dpi.' }) description: string;
  @ApiProperty({ type: [String], example: ['665f1c2b9d3e4a0012345679'], description: "the documents' ids, in upload order" })
  documents: string[];
  @ApiProperty({ example: '2026-05-04T11:58:12.000Z' }) created_at: Date;
  @ApiProperty({ example: '2026-05-04T12:03:40.000Z' }) updated_at: Date;
}

export class CollectionPage extends PageMeta {
  @ApiProperty({ type: [CollectionView] }) items: CollectionView[];
}

class DerivedFromView {
  @ApiProperty(OBJECT_ID) document_id: string;
  @ApiProperty(SHA256) sha256: string;
  @ApiProperty({ enum: OPERATION_TYPES }) operation: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { width: 300, fit: 'inside' } }) params: Record<string, unknown>;
}

class DocumentMetadataView {
  @ApiProperty({ example: 'ana_souza', description: 'username of the uploader (or of the user who ran the operation)' }) author: string;
  @ApiProperty({ example: '2026-05-04T12:01:05.000Z' }) date: Date;
  @ApiProperty({ enum: DOCUMENT_MIME_TYPES, description: 'detected from the content' }) mime_type: string;
  @ApiProperty({ example: 248_113, description: 'bytes' }) size: number;
  @ApiProperty(SHA256) sha256: string;
  @ApiPropertyOptional({ example: 1240, description: 'images: pixels' }) width?: number;
  @ApiPropertyOptional({ example: 1754, description: 'images: pixels' }) height?: number;
  @ApiPropertyOptional({ example: 3, description: 'PDFs' }) page_count?: number;
  @ApiPropertyOptional({ example: 'receipt-0412.png', description: 'the uploaded file name' }) original_name?: string;
  @ApiPropertyOptional({ type: DerivedFromView }) derived_from?: DerivedFromView;
}

export class DocumentView {
  @ApiProperty(OBJECT_ID) _id: string;
  @ApiProperty(OBJECT_ID) collection_id: string;
  @ApiProperty(OBJECT_ID) user_id: string;
  @ApiProperty({ example: 'Pharmacy receipt, April' }) title: string;
  @ApiProperty({ example: '/documents/665f1c2b9d3e4a0012345678/file' }) file_url: string;
  @ApiProperty({ type: DocumentMetadataView }) metadata: DocumentMetadataView;
  @ApiProperty({ example: '2026-05-04T12:01:05.000Z' }) created_at: Date;
  @ApiProperty({ example: '2026-05-04T12:01:05.000Z' }) updated_at: Date;
}

export class DocumentPage extends PageMeta {
  @ApiProperty({ type: [DocumentView] }) items: DocumentView[];
}

export class OperationResult {
  @ApiProperty({ enum: OPERATION_TYPES, example: 'translate' }) type: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { target: 'pt', source: 'auto' },
    description: 'the validated parameters, defaults applied',
  })
  params: Record<string, unknown>;
  @ApiProperty({ ...SHA256, description: "the source file's sha256" }) sha256: string;
  @ApiProperty({ example: '2026-05-04T12:02:31.000Z', description: 'when the result was computed (a cached result keeps its first time)' })
  computed_at: Date;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'image edits: { document } (the new document); extract_text: { method, text, page_count?, pages?, confidence? }; ' +
      'translate: { text, source_language, target_language, extracted_with, extracted_chars }',
    example: {
      text: 'Recibo da farmácia, abril. Total: 38,90',
      source_language: 'en',
      target_language: 'pt',
      extracted_with: 'ocr',
      extracted_chars: 42,
    },
  })
  result: Record<string, unknown>;
}
