import { Inject, Injectable, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { User } from './schemas/user.schema';

export interface StorageUsage {
  used_bytes: number;
  quota_bytes: number;
}

/**
 * Each account's stored bytes against STORAGE_QUOTA_BYTES, kept on its user document. A file's
 * bytes are reserved before it is written, by one conditional `$inc` (MongoDB applies filter and
 * update to one document atomically), so uploads racing for the last free bytes cannot both
 * pass; the caller releases them when the write fails or the file is deleted.
 */
@Injectable()
export class StorageQuota {
  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async usage(userId: string | Types.ObjectId): Promise<StorageUsage> {
    const user = await this.users.findById(userId, { storage_used: 1 }).lean<{ storage_used?: number }>().exec();
    if (!user) throw new NotFoundException('this account no longer exists');
    return { used_bytes: Math.max(0, user.storage_used ?? 0), quota_bytes: this.env.STORAGE_QUOTA_BYTES };
  }

  /** 413 now, before any work, when `bytes` more would not fit (a cheap check; `reserve` is the guarantee). */
  async assertRoomFor(userId: string | Types.ObjectId, bytes: number): Promise<void> {
    const usage = await this.usage(userId);
    if (usage.used_bytes + bytes > usage.quota_bytes) throw this.exceeded(usage, bytes);
  }

  /** Counts `bytes` against the account's quota, or 413 when they do not fit (404: no such account). */
  async reserve(userId: string | Types.ObjectId, bytes: number): Promise<void> {
    const quota = this.env.STORAGE_QUOTA_BYTES;
    if (bytes <= quota) {
      const room = { $or: [{ storage_used: { $lte: quota - bytes } }, { storage_used: { $exists: false } }] };
      const { modifiedCount } = await this.users.updateOne({ _id: userId, ...room }, { $inc: { storage_used: bytes } }).exec();
      if (modifiedCount === 1) return;
    }
    throw this.exceeded(await this.usage(userId), bytes);
  }

  /** Gives `bytes` back (a failed write, a deleted file). */
  async release(userId: string | Types.ObjectId, bytes: number): Promise<void> {
    if (bytes <= 0) return;
    await this.users.updateOne({ _id: userId }, { $inc: { storage_used: -bytes } }).exec();
    // Files stored before quotas existed were never counted: deleting one must not leave a negative balance.
    await this.users.updateOne({ _id: userId, storage_used: { $lt: 0 } }, { $set: { storage_used: 0 } }).exec();
  }

  private exceeded(usage: StorageUsage, bytes: number) {
    return new PayloadTooLargeException(
      `storage quota exceeded: ${usage.used_bytes} of ${usage.quota_bytes} bytes used, this file needs ${bytes} more (STORAGE_QUOTA_BYTES)`,
    );
  }
}
