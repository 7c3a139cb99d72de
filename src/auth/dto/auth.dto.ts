import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

const trimLower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class RegisterDto {
  @ApiProperty({
    example: 'ana_souza',
    pattern: '^[A-Za-z0-9._-]{3,32}$',
    description: '3-32 letters, digits, ".", "_" or "-"; case-insensitive',
  })
  @Transform(trimLower)
  @IsString()
  @Matches(/^[a-z0-9._-]{3,32}$/, { message: 'username must be 3-32 letters, digits, ".", "_" or "-"' })
  username: string;

  @ApiProperty({ example: 'ana@example.com', format: 'email', maxLength: 254 })
  @Transform(trimLower)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  email: string;

  @ApiProperty({ example: 'correct horse battery', minLength: 8, maxLength: 128 })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password: string;
}

/** Either `username` or `email`, plus the password. */
export class LoginDto {
  @ApiPropertyOptional({ example: 'ana_souza' })
  @ValidateIf((o: LoginDto) => o.email === undefined)
  @IsString({ message: 'username or email is required' })
  @MinLength(1)
  @MaxLength(254)
  username?: string;

  @ApiPropertyOptional({ example: 'ana@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password: string;
}

export const REGISTRATION_ACCEPTED = 'if the username and email were free, the account now exists: log in to use it';

/** The one answer to a registration, created or not (see AuthService.register). */
export class RegistrationAcceptedDto {
  @ApiProperty({ example: REGISTRATION_ACCEPTED }) message: string;
}

export class AccessTokenDto {
  @ApiProperty({
    description: 'JWT; send as `Authorization: Bearer <token>`',
    example:
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjVmMWMyYjlkM2U0YTAwMTIzNDU2NzgiLCJ2ZXIiOjAsImlhdCI6MTc0NjM2MDAwMCwiZXhwIjoxNzQ2MzYzNjAwfQ.Qm9JjNqkR3l0hYp6m1c8xY0b7Sx2v1nZkq3Jt8wFh4E',
  })
  access_token: string;

  @ApiProperty({ example: 'Bearer' })
  token_type: 'Bearer';

  @ApiProperty({ example: '1h' })
  expires_in: string;
}

export class StorageUsageDto {
  @ApiProperty({ example: 5242880, description: 'bytes of stored files (uploads and derived documents) counted against the quota' })
  used_bytes: number;

  @ApiProperty({ example: 1073741824, description: 'STORAGE_QUOTA_BYTES' })
  quota_bytes: number;
}

export class MeDto {
  @ApiProperty({ example: '665f1c2b9d3e4a0012345678' }) _id: string;
  @ApiProperty({ example: 'ana_souza' }) username: string;
  @ApiProperty({ example: 'ana.souza@example.com' }) email: string;
  @ApiProperty({ enum: ['user', 'manager'] }) role: string;
  @ApiProperty({ example: '2026-05-04T11:58:12.000Z' }) created_at: Date;
  @ApiProperty({ type: StorageUsageDto }) storage: StorageUsageDto;
}
