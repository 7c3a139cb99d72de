import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CpfAccessGuard } from './cpf-access.guard';
import { RankingsController } from './rankings.controller';
import { Student, StudentSchema } from './schemas/student.schema';
import { StudentsSeeder } from './seed/students.seeder';
import { StudentRankingService } from './student-ranking.service';
import { StudentsCacheService } from './students-cache.service';
import { StudentsController } from './students.controller';
import { StudentsService } from './students.service';
import { StudentsWatcher } from './students.watcher';

/** Entrance-exam results (seed 000): results-day API, cache warm-up, and a change-stream watcher keeping the cache in sync. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Student.name, schema: StudentSchema }])],
  controllers: [StudentsController, RankingsController],
  providers: [StudentsService, StudentRankingService, StudentsCacheService, StudentsWatcher, StudentsSeeder, CpfAccessGuard],
  exports: [StudentsService, StudentsCacheService],
})
export class StudentsModule {}
