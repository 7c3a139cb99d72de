import { IsInt, Max, Min } from 'class-validator';

/** Results day (src/students): the publication embargo and the warm-up before it. */
export class StudentsEnv {
  /**
   * An edition's publication instant must be set (or moved) at least this many seconds before it,
   * and before the instant it replaces. It is also how long an instance may decide on its last
   * reading of the schedule while Redis is unreachable; each instance re-reads it several times in it.
   */
  @IsInt()
  @Min(1)
  @Max(3600)
  RESULTS_PUBLISH_NOTICE_SECONDS: number = 30;

  /** How long warmed results stay in Redis after their edition's instant (the warm-up sets it), seconds. */
  @IsInt()
  @Min(60)
  @Max(30 * 24 * 3600)
  RESULTS_WARM_TTL_SECONDS: number = 6 * 3600;
}
