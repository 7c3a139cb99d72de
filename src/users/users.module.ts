import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { User, UserSchema } from './schemas/user.schema';
import { CreateManagerCommand, DemoteUserCommand, PromoteUserCommand, UsersCommand } from './users.command';
import { UsersService } from './users.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: User.name, schema: UserSchema }])],
  providers: [UsersService, UsersCommand, CreateManagerCommand, PromoteUserCommand, DemoteUserCommand],
  exports: [UsersService],
})
export class UsersModule {}
