import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  buildMessage,
  IsEmail,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateBy,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { CAMPUSES, COURSE_CODES } from '../courses';
import { isValidCpf } from '../cpf';
import { DEFAULT_EDITION, EDITION_MESSAGE, EDITION_PATTERN } from '../editions';
import { MAX_SCORE, MIN_SCORE, WEIGHTING_DESCRIPTION } from '../scoring';

export const REGISTRATION_PATTERN = /^\d{10}$/;
/** Letters (any script), spaces, apostrophes, hyphens and dots, as in "D'Ávila" or "Ana-Lúcia". */
export const NAME_PATTERN = /^[\p{L}\p{M}][\p{L}\p{M} .'-]*$/u;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : value);

function IsCpf(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isCpf',
      target: object.constructor,
      propertyName,
      options: { message: 'cpf must be a valid CPF (000.000.000-00 or 11 digits, with valid check digits)', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isValidCpf(value) },
    });
}

/** YYYY-MM-DD of a real calendar day, for a candidate between 14 and 100 years old. */
function IsBirthDate(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isBirthDate',
      target: object.constructor,
      propertyName,
      options: { message: 'birth_date must be a real date YYYY-MM-DD for an age between 14 and 100', ...options },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
          const date = new Date(`${value}T00:00:00Z`);
          if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return false;
          const age = (Date.now() - date.getTime()) / (365.25 * 24 * 3600 * 1000);
          return age >= 14 && age <= 100;
        },
      },
    });
}

/**
 * At most two decimals, within binary-float noise. Not class-validator's `maxDecimalPlaces`: it reads
 * the decimals from the number's text and throws on exponent forms such as 5e-324 (a 500, not a 400).
 */
const twoDecimals = (value: unknown) => typeof value === 'number' && Math.abs(value * 100 - Math.round(value * 100)) < 1e-6;

const score = () => (target: object, key: string) => {
  ApiProperty({ minimum: MIN_SCORE, maximum: MAX_SCORE, example: 650.5 })(target, key);
  IsNumber({ allowNaN: false, allowInfinity: false })(target, key);
  ValidateBy({
    name: 'twoDecimals',
    validator: { validate: twoDecimals, defaultMessage: buildMessage((prefix) => `${prefix}$property must have at most two decimals`) },
  })(target, key);
  Min(MIN_SCORE)(target, key);
  Max(MAX_SCORE)(target, key);
};

export class ScoresDto {
  @score() languages: number;
  @score() human_sciences: number;
  @score() natural_sciences: number;
  @score() mathematics: number;
  @score() essay: number;
}

export class CreateStudentDto {
  @ApiProperty({ example: '2600001234', pattern: '^[0-9]{10}$', description: 'exam registration number, 10 digits, unique' })
  @Matches(REGISTRATION_PATTERN, { message: 'registration must be 10 digits' })
  registration: string;

  @ApiPropertyOptional({
    example: DEFAULT_EDITION,
    default: DEFAULT_EDITION,
    description: 'exam edition; its results are public from its publication instant on',
  })
  @IsOptional()
  @Matches(EDITION_PATTERN, { message: EDITION_MESSAGE })
  edition?: string;

  @ApiProperty({ example: 'Maria da Silva' })
  @Transform(trim)
  @IsString()
  @Length(2, 120)
  @Matches(NAME_PATTERN, { message: 'name may contain letters, spaces, apostrophes, hyphens and dots' })
  name: string;

  @ApiProperty({ example: '123.456.789-09', description: 'valid check digits, unique; stored as 11 digits' })
  @IsString()
  @IsCpf()
  cpf: string;

  @ApiProperty({ example: 'maria.silva@example.com' })
  @IsEmail()
  @Length(3, 254)
  email: string;

  @ApiProperty({ example: '2007-05-14' })
  @IsString()
  @IsBirthDate()
  birth_date: string;

  @ApiProperty({ enum: COURSE_CODES })
  @IsIn(COURSE_CODES)
  course: string;

  @ApiProperty({ enum: CAMPUSES })
  @IsIn(CAMPUSES)
  campus: string;

  @ApiProperty({ type: ScoresDto, description: `0–1000 per area. final_score: ${WEIGHTING_DESCRIPTION}` })
  @IsObject()
  @ValidateNested()
  @Type(() => ScoresDto)
  scores: ScoresDto;
}

/** Any field but the registration and the edition; `scores`, when given, replaces all five areas. */
export class UpdateStudentDto extends PartialType(OmitType(CreateStudentDto, ['registration', 'edition'] as const), {
  skipNullProperties: false,
}) {}
