import { cpfCheckDigits, formatCpf, generatedCpf, isValidCpf, maskCpf, normalizeCpf } from './cpf';
import { finalScore } from './scoring';
import { statusForRank } from './courses';

describe('cpf', () => {
  it('computes check digits of known CPFs', () => {
    expect(cpfCheckDigits('529982247')).toBe('25');
    expect(cpfCheckDigits('123456789')).toBe('09');
    expect(isValidCpf('529.982.247-25')).toBe(true);
    expect(isValidCpf('52998224725')).toBe(true);
  });

  it('rejects wrong check digits, repeated digits and other shapes', () => {
    expect(isValidCpf('529.982.247-26')).toBe(false);
    expect(isValidCpf('111.111.111-11')).toBe(false);
    expect(isValidCpf('529982247-25')).toBe(false);
    expect(isValidCpf('5299822472')).toBe(false);
    expect(normalizeCpf('529.982.247-25')).toBe('52998224725');
  });

  it('formats and masks', () => {
    expect(formatCpf('52998224725')).toBe('529.982.247-25');
    expect(maskCpf('12345678909')).toBe('***.456.789-**');
  });

  it('generates distinct valid CPFs per index', () => {
    const cpfs = Array.from({ length: 20_000 }, (_, i) => generatedCpf(i));
    expect(new Set(cpfs).size).toBe(cpfs.length);
    expect(cpfs.every(isValidCpf)).toBe(true);
  });
});

describe('scoring and status', () => {
  it('weights mathematics, natural sciences and the essay double', () => {
    expect(finalScore({ languages: 800, human_sciences: 800, natural_sciences: 0, mathematics: 0, essay: 0 })).toBe(200);
    expect(finalScore({ languages: 0, human_sciences: 0, natural_sciences: 0, mathematics: 800, essay: 0 })).toBe(200);
    expect(finalScore({ languages: 1000, human_sciences: 1000, natural_sciences: 1000, mathematics: 1000, essay: 1000 })).toBe(1000);
    expect(finalScore({ languages: 1, human_sciences: 0, natural_sciences: 0, mathematics: 0, essay: 0 })).toBe(0.13);
  });

  it('derives the status from rank and seats', () => {
    expect(statusForRank(60, 60)).toBe('approved');
    expect(statusForRank(61, 60)).toBe('waiting_list');
    expect(statusForRank(180, 60)).toBe('waiting_list');
    expect(statusForRank(181, 60)).toBe('not_classified');
  });
});
