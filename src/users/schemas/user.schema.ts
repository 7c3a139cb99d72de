import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const USER_ROLES = ['user', 'manager'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** An account (the ImageDoc design: "Usuários"). The password hash never leaves the service (`select: false`). */
@Schema({ collection: 'users', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: false } })
export class User {
  /** Stored lower-case, so "Ana" and "ana" are one account. */
  @Prop({ required: true, unique: true, lowercase: true, trim: true })
  username: string;

  @Prop({ required: true, unique: true, lowercase: true, trim: true })
  email: string;

  /** argon2id encoded hash (algorithm, parameters and salt included). */
  @Prop({ required: true, select: false })
  password_hash: string;

  @Prop({ type: String, required: true, enum: USER_ROLES, default: 'user' })
  role: UserRole;

  /** Access tokens carry it (`ver`); bumping it revokes every token issued before. */
  @Prop({ type: Number, required: true, default: 0 })
  token_version: number;

  /** Bytes of stored files counted against STORAGE_QUOTA_BYTES (StorageQuota keeps it). */
  @Prop({ type: Number, default: 0 })
  storage_used: number;

  created_at: Date;
}

export const UserSchema = SchemaFactory.createForClass(User);
