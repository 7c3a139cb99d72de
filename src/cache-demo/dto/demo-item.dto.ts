import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsNumber, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { SearchableListQuery, type Stored } from '../../common/kit';
import { PageMeta } from '../../common/pagination';
import type { DemoItem } from '../schemas/demo-item.schema';

/** POST and PUT (a PUT replaces the whole item: name and price required, the rest defaulted). */
export class CreateDemoItemDto {
  @ApiProperty({ example: 'item 7' }) @IsString() @IsNotEmpty() @MaxLength(200) name: string;
  @ApiProperty({ example: 9.99 }) @IsNumber() @Min(0) price: number;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) description?: string;
}

/** PATCH: any subset of the fields. */
export class UpdateDemoItemDto extends PartialType(CreateDemoItemDto) {}

/** POST /demo/items/:id/tags: one tag added, if the item does not have it yet. */
export class AddTagDto {
  @ApiProperty({ example: 'sale' }) @IsString() @IsNotEmpty() @MaxLength(50) tag: string;
}

export class DemoItemListQuery extends SearchableListQuery(['name', 'price'], {
  example: 'item',
  description: 'text contained in the name',
}) {}

export class DemoItemView {
  @ApiProperty() _id: string;
  @ApiProperty() name: string;
  @ApiProperty() price: number;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty() description: string;
}

export class DemoItemPage extends PageMeta {
  @ApiProperty({ type: [DemoItemView] }) items: DemoItemView[];
}

/** Stored → API: named fields only, so nothing an outside writer adds ever leaks. */
export const toDemoItemView = (item: Stored<DemoItem>): DemoItemView => ({
  _id: String(item._id),
  name: item.name,
  price: item.price,
  tags: item.tags,
  description: item.description,
});

export const toDemoItem = (dto: CreateDemoItemDto): DemoItem => ({ tags: [], description: '', ...dto });
