import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ChangeFeed } from '../infra/cache';
import { ResultsCommand, ResultsPublishCommand, ResultsStatusCommand, ResultsWarmCommand } from './cli/results.command';
import { PublicationController } from './publication/publication.controller';
import { PublicationGate } from './publication/publication-gate';
import { Publication, PublicationSchema } from './publication/publication.schema';
import { PublicationService } from './publication/publication.service';
import { PublicationStore } from './publication/publication.store';
import { RankingsController } from './rankings.controller';
import { ResultsAccessGuard } from './results-access.guard';
import { Student, StudentSchema } from './schemas/student.schema';
import { StudentsSeeder } from './seed/students.seeder';
import { StudentRankingService } from './student-ranking.service';
import { StudentsCacheService } from './students-cache.service';
import { StudentsController } from './students.controller';
import { StudentsService } from './students.service';
import { studentsFeed } from './students.feed';
import { ResultsWarmUpService } from './warm-up/results-warm-up.service';

/** Entrance-exam results: results API, publication embargo, cache warm-up, its cache kept in sync with every MongoDB write by the change feed. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Student.name, schema: StudentSchema },
      { name: Publication.name, schema: PublicationSchema },
    ]),
  ],
  controllers: [StudentsController, RankingsController, PublicationController],
  providers: [
    StudentsService,
    StudentRankingService,
    StudentsCacheService,
    StudentsSeeder,
    ResultsAccessGuard,
    PublicationStore,
    PublicationGate,
    PublicationService,
    ResultsWarmUpService,
    ResultsCommand,
    ResultsPublishCommand,
    ResultsWarmCommand,
    ResultsStatusCommand,
    {
      // The feed's targets depend on this instance's gate (the sets of editions live now), so the
      // source is registered per app rather than declared statically with ChangeFeedModule.forFeature.
      provide: 'students-feed',
      inject: [ChangeFeed, PublicationGate],
      useFactory: (feed: ChangeFeed, gate: PublicationGate) => {
        feed.register(studentsFeed(() => gate.liveSets()));
        return 'students-feed';
      },
    },
  ],
  exports: [StudentsService, StudentsCacheService, PublicationService],
})
export class StudentsModule {}
