import { canonicalFilter, fieldType, parseSpendingFilter, SpendingFilterError, validateSpendingFilter } from './spending-filter';

const rejects = (filter: unknown, message: RegExp) => {
  expect(() => validateSpendingFilter(filter)).toThrow(SpendingFilterError);
  expect(() => validateSpendingFilter(filter)).toThrow(message);
};

describe('spending find filter', () => {
  it('accepts query operators on the table fields and returns the filter unchanged', () => {
    const filter = {
      email: 'ana+1@bol.com.br',
      'details.first_name': { $in: ['Ana', 'João'] },
      'monthly_spenses.fev': { $gt: 10, $lte: 500.5 },
      'categorized_monthly_expenses.jan.Casa e Decoração': { $gte: 1 },
      'categorized_monthly_avg_expense.Cosméticos': { $exists: true },
      monthly_avg_expense: { $not: { $lt: 3 } },
      $or: [{ customer_id: '665f1c2b9d3e4a0012345678' }, { _id: { $ne: null } }],
      $nor: [{ 'monthly_spenses.dez': 0 }],
      $and: [{ 'details.last_name': { $nin: [] } }],
    };
    expect(validateSpendingFilter(filter)).toBe(filter);
    expect(validateSpendingFilter({})).toEqual({});
  });

  it.each([
    [{ $where: 'this.monthly_avg_expense > 1' }, /\$where is not allowed: it runs JavaScript/],
    [{ email: { $where: 'sleep(1000)' } }, /\$where is not allowed/],
    [{ $expr: { $gt: ['$monthly_avg_expense', 1] } }, /\$expr is not allowed/],
    [{ monthly_avg_expense: { $function: { body: 'return 1', args: [], lang: 'js' } } }, /\$function is not allowed/],
    [{ $or: [{ monthly_avg_expense: { $accumulator: {} } }] }, /filter\.\$or\[0\]\.monthly_avg_expense: \$accumulator is not allowed/],
    [{ email: { $regex: '^(a+)+$' } }, /operator \$regex is not allowed/],
    [{ $text: { $search: 'x' } }, /operator \$text is not allowed/],
    [{ $comment: 'x' }, /operator \$comment is not allowed/],
  ])('rejects %j', (filter, message) => rejects(filter, message));

  it('rejects unknown fields, wrong types and embedded documents, naming the place', () => {
    rejects({ password: 'x' }, /filter\.password: unknown field "password"; queryable fields:/);
    rejects({ 'monthly_spenses.january': 1 }, /unknown field/);
    rejects({ monthly_spenses: { jan: 1 } }, /unknown field "monthly_spenses"/);
    rejects({ 'categorized_monthly_expenses.jan': 1 }, /unknown field/);
    rejects({ 'categorized_monthly_expenses.jan.$x': 1 }, /unknown field/);
    rejects({ 'details.full_name': 'x' }, /unknown field/);
    rejects({ monthly_avg_expense: '12' }, /filter\.monthly_avg_expense: expected a number, got "12"/);
    rejects({ email: { $gt: 3 } }, /filter\.email\.\$gt: expected a string, got 3/);
    rejects({ email: ['a'] }, /expected a string, got an array/);
    rejects({ 'monthly_spenses.jan': { $gt: 1, lt: 2 } }, /dotted paths/);
    rejects({ email: {} }, /empty object/);
    rejects({ email: { $in: 'a' } }, /\$in: takes an array/);
    rejects({ email: { $exists: 1 } }, /takes true or false/);
    rejects({ email: { $not: 'a' } }, /takes an object of operators/);
    rejects({ $or: [] }, /non-empty array/);
    rejects({ $and: [1] }, /each \$and branch must be an object/);
    rejects([], /must be a JSON object/);
    rejects(null, /must be a JSON object/);
    rejects('{"email": "a"}', /must be a JSON object/);
  });

  it('limits nesting', () => {
    let filter: Record<string, unknown> = { email: 'a' };
    for (let i = 0; i < 10; i++) filter = { $and: [filter] };
    rejects(filter, /nested more than 8 levels/);
  });

  it('refuses categories and texts with control or bidi characters, or too long; bounds the whole filter', () => {
    for (const category of ['nul\u0000', 'rtl\u202Eotxet', 'isolate\u2067', 'x'.repeat(61)]) {
      rejects({ [`categorized_monthly_avg_expense.${category}`]: 1 }, /unknown field/);
      rejects({ [`categorized_monthly_expenses.jan.${category}`]: 1 }, /unknown field/);
    }
    expect(fieldType(`categorized_monthly_avg_expense.${'x'.repeat(60)}`)).toBe('number');
    rejects({ email: 'a\u0000b' }, /filter\.email: text is at most 254 characters, without control/);
    rejects({ 'details.first_name': { $in: ['Ana', '\u202Eana'] } }, /\$in\[1\]: text is at most/);
    rejects({ email: 'a'.repeat(255) }, /text is at most 254/);
    const branches = Array.from({ length: 3 }, () => ({ customer_id: { $in: Array.from({ length: 700 }, (_, i) => String(i)) } }));
    rejects({ $or: branches }, /filter is too large: at most 2000 keys and array elements/);
  });

  it('parses JSON text for the CLI', () => {
    expect(parseSpendingFilter('{"monthly_spenses.jan": {"$gt": 0}}')).toEqual({ 'monthly_spenses.jan': { $gt: 0 } });
    expect(() => parseSpendingFilter('{email: 1}')).toThrow(/filter is not valid JSON/);
  });

  it('knows the type of each leaf', () => {
    expect(fieldType('customer_id')).toBe('string');
    expect(fieldType('categorized_monthly_avg_expense.Pet Shop')).toBe('number');
    expect(fieldType('categorized_monthly_expenses.dez.Livros')).toBe('number');
    expect(fieldType('categorized_monthly_expenses.dec.Livros')).toBeUndefined();
    expect(fieldType('__proto__')).toBeUndefined();
  });

  it('canonicalises key order at every level, keeping array order', () => {
    const a = canonicalFilter({ b: { $lt: 2, $gt: 1 }, a: { $in: [2, 1] } });
    const b = canonicalFilter({ a: { $in: [2, 1] }, b: { $gt: 1, $lt: 2 } });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).toBe('{"a":{"$in":[2,1]},"b":{"$gt":1,"$lt":2}}');
  });
});
