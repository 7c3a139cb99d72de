import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SharedCacheModule } from '../infra/cache';
import { User, UserSchema } from './schemas/user.schema';
import { StorageQuota } from './storage-quota.service';
import {
  CreateManagerCommand,
  DeleteUserCommand,
  DemoteUserCommand,
  PromoteUserCommand,
  RevokeTokensCommand,
  UsersCommand,
} from './users.command';
import { UsersService } from './users.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: User.name, schema: UserSchema }]), SharedCacheModule],
  providers: [
    UsersService,
    StorageQuota,
    UsersCommand,
    CreateManagerCommand,
    PromoteUserCommand,
    DemoteUserCommand,
    RevokeTokensCommand,
    DeleteUserCommand,
  ],
  exports: [UsersService, StorageQuota],
})
export class UsersModule {}
