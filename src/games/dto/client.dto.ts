import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageMeta } from '../../common/pagination';
import { fromCents, IsMoney, SearchableListQuery, toCents } from '../../common/kit';
import { Client, ClientRecord, Membership, MEMBERSHIPS } from '../schemas/client.schema';

const trimLower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/** PUT /clients/:id replaces the whole client, so every field is required. */
export class ReplaceClientDto {
  @ApiProperty({ example: 'John Doe' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'johndoe@hotmail.com', description: 'unique (case-insensitive)' })
  @Transform(trimLower)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: '2024-01-15', description: 'YYYY-MM-DD' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'joined_date must be a date as YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'joined_date must be a valid calendar date' })
  joined_date: string;

  @ApiProperty({ enum: MEMBERSHIPS })
  @IsIn(MEMBERSHIPS)
  membership: Membership;

  @ApiProperty({ example: 119.98, description: 'decimal with at most two places; stored as integer cents' })
  @IsMoney()
  total_spent: number;

  @ApiProperty({ example: ['Black Ops 2'], type: [String], description: 'titles bought' })
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  bought: string[];
}

/**
 * POST /clients: name and email required; joined_date defaults to today, membership to basic,
 * total_spent to 0 and bought to [].
 */
export class CreateClientDto extends IntersectionType(
  PickType(ReplaceClientDto, ['name', 'email'] as const),
  PartialType(OmitType(ReplaceClientDto, ['name', 'email'] as const), { skipNullProperties: false }),
) {}

/** PATCH /clients/:id: any subset of the fields. */
export class UpdateClientDto extends PartialType(ReplaceClientDto, { skipNullProperties: false }) {}

export const CLIENT_SORT_FIELDS = ['name', 'email', 'joined_date', 'membership', 'total_spent'] as const;
export const CLIENT_SORT_COLUMNS: Record<string, string> = { total_spent: 'total_spent_cents' };

export class ClientListQuery extends SearchableListQuery(CLIENT_SORT_FIELDS, {
  example: 'doe',
  description: 'case-insensitive text contained in the name',
}) {
  @ApiPropertyOptional({ enum: MEMBERSHIPS })
  @IsOptional()
  @IsIn(MEMBERSHIPS)
  membership?: Membership;
}

export class ClientView {
  @ApiProperty({ example: '68e808ca5fef310fb7a1f8d0' }) _id: string;
  @ApiProperty({ example: 'John Doe' }) name: string;
  @ApiProperty({ example: 'johndoe@hotmail.com' }) email: string;
  @ApiProperty({ example: '2024-01-15' }) joined_date: string;
  @ApiProperty({ enum: MEMBERSHIPS }) membership: Membership;
  @ApiProperty({ example: 119.98 }) total_spent: number;
  @ApiProperty({ type: [String], example: ['Black Ops 2', 'God Of War'] }) bought: string[];
}

export class ClientPage extends PageMeta {
  @ApiProperty({ type: [ClientView] }) items: ClientView[];
}

export function toClientView(client: ClientRecord): ClientView {
  return {
    _id: String(client._id),
    name: client.name,
    email: client.email,
    joined_date: client.joined_date.toISOString().slice(0, 10),
    membership: client.membership,
    total_spent: fromCents(client.total_spent_cents),
    bought: client.bought,
  };
}

/** A whole client (PUT, POST): every stored field, defaults filled in. */
export function toClientDocument(dto: CreateClientDto, today = new Date()): Client {
  return {
    name: dto.name,
    email: dto.email,
    joined_date: dto.joined_date ? dateOnly(dto.joined_date) : dateOnly(today.toISOString().slice(0, 10)),
    membership: dto.membership ?? 'basic',
    total_spent_cents: toCents(dto.total_spent ?? 0),
    bought: dto.bought ?? [],
  };
}

/** Only the fields given (PATCH). */
export function toClientFields(dto: UpdateClientDto): Partial<Client> {
  const { joined_date, total_spent, ...rest } = dto;
  return {
    ...rest,
    ...(joined_date !== undefined && { joined_date: dateOnly(joined_date) }),
    ...(total_spent !== undefined && { total_spent_cents: toCents(total_spent) }),
  };
}

function dateOnly(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}
