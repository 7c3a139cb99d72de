import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ScoresDto } from './student-input.dto';

const scores = (essay: number) =>
  plainToInstance(ScoresDto, { languages: 650.5, human_sciences: 700, natural_sciences: 612.25, mathematics: 800, essay });
const problems = (essay: number) => validateSync(scores(essay)).flatMap((e) => Object.values(e.constraints ?? {}));

describe('ScoresDto', () => {
  it('accepts scores with up to two decimals', () => {
    expect(problems(720.75)).toEqual([]);
    expect(problems(0.1 + 0.2)).toEqual([]); // 0.30000000000000004: float noise, still two decimals
  });

  it('refuses three decimals with a message, and does not throw on numbers written with an exponent', () => {
    expect(problems(720.125)).toEqual(['essay must have at most two decimals']);
    expect(problems(1e-7)).toEqual(['essay must have at most two decimals']);
    // 5e-324 is 0.00 within float noise: no error, and above all no exception (it was a 500).
    expect(() => problems(5e-324)).not.toThrow();
  });
});
