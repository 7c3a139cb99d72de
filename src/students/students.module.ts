import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ChangeFeedModule } from '../infra/cache';
import { CpfAccessGuard } from './cpf-access.guard';
import { RankingsController } from './rankings.controller';
import { Student, StudentSchema } from './schemas/student.schema';
import { StudentsSeeder } from './seed/students.seeder';
import { StudentRankingService } from './student-ranking.service';
import { StudentsCacheService } from './students-cache.service';
import { StudentsController } from './students.controller';
import { StudentsService } from './students.service';
import { STUDENTS_FEED } from './students.feed';

/** Entrance-exam results: results API, cache warm-up, its cache kept in sync with every MongoDB write by the change feed. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Student.name, schema: StudentSchema }]), ChangeFeedModule.forFeature([STUDENTS_FEED])],
  controllers: [StudentsController, RankingsController],
  providers: [StudentsService, StudentRankingService, StudentsCacheService, StudentsSeeder, CpfAccessGuard],
  exports: [StudentsService, StudentsCacheService],
})
export class StudentsModule {}
