export const SCORE_AREAS = ['languages', 'human_sciences', 'natural_sciences', 'mathematics', 'essay'] as const;
export type ScoreArea = (typeof SCORE_AREAS)[number];
export type Scores = Record<ScoreArea, number>;

export const MIN_SCORE = 0;
export const MAX_SCORE = 1000;

/**
 * final_score = weighted mean of the five areas, rounded to 2 decimals (so it stays 0–1000).
 * Mathematics, natural sciences and the essay weigh double: one weighting for every course,
 * as in a single-entry vestibular. Change it here only; the Swagger text quotes this table.
 */
export const SCORE_WEIGHTS: Readonly<Scores> = {
  languages: 1,
  human_sciences: 1,
  natural_sciences: 2,
  mathematics: 2,
  essay: 2,
};

export const WEIGHTING_DESCRIPTION =
  'Weighted mean of the area scores, 2 decimals: (languages×1 + human_sciences×1 + natural_sciences×2 + mathematics×2 + essay×2) / 8';

const totalWeight = SCORE_AREAS.reduce((sum, area) => sum + SCORE_WEIGHTS[area], 0);

export function finalScore(scores: Scores): number {
  const weighted = SCORE_AREAS.reduce((sum, area) => sum + scores[area] * SCORE_WEIGHTS[area], 0);
  return Math.round((weighted / totalWeight) * 100) / 100;
}
