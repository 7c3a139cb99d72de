/**
 * Collection names. The seed calls customers `users`; the auth module owns `users` in the same
 * database, so commerce customers live in `customers` (the original generator's own word for them: customer_id).
 */
export const COLLECTIONS = {
  customers: 'customers',
  products: 'products',
  carts: 'carts',
  orders: 'orders',
  /** The analytics table (seed: "a tabela nova"), one row per customer for one year. */
  spending: 'customer_monthly_spending',
  /** A full crunch builds here, then renames it over the table. */
  spendingShadow: 'customer_monthly_spending_next',
  /** Per-customer (month, category) sums in integer cents, an intermediate of crunch. */
  spendingCells: 'commerce_spending_cells',
  /** Which year the table holds and when it was built. */
  meta: 'commerce_meta',
} as const;

/** Month keys exactly as the spending table has always named them (Portuguese). */
export const MONTH_KEYS = ['jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez'] as const;
export type MonthKey = (typeof MONTH_KEYS)[number];

/** Cache namespace of the spending rows and searches. */
export const SPENDING_NS = 'spending';

export const GENERATOR_DEFAULTS = {
  /** The original generator's settings: 800 users, up to 6 orders each. */
  customers: 800,
  maxOrders: 6,
  products: 500,
  /** Fixed (not "this year") so that a seed gives the same data whenever it runs. */
  year: 2025,
  seed: 42,
} as const;

/**
 * Departments (a product's first category, the one crunch counts) with sub-categories, after the
 * original generator's example ("Cosméticos", "Cosméticos Profissionais", ...). No "." or "$": they become keys.
 */
export const CATEGORY_TREE: Record<string, string[]> = {
  Cosméticos: ['Cosméticos Profissionais', 'Líquidos', 'Gordura Localizada', 'Cuidados com a Pele'],
  Eletrônicos: ['Áudio', 'Celulares', 'Acessórios', 'TV e Vídeo'],
  Informática: ['Notebooks', 'Periféricos', 'Armazenamento', 'Redes'],
  Livros: ['Ficção', 'Técnicos', 'Infantis', 'Biografias'],
  'Casa e Decoração': ['Cozinha', 'Cama Mesa e Banho', 'Iluminação', 'Organização'],
  Moda: ['Calçados', 'Roupas Femininas', 'Roupas Masculinas', 'Bolsas'],
  'Esporte e Lazer': ['Ciclismo', 'Academia', 'Camping', 'Futebol'],
  Brinquedos: ['Jogos de Tabuleiro', 'Bonecas', 'Educativos', 'Quebra-Cabeças'],
  'Alimentos e Bebidas': ['Cafés', 'Vinhos', 'Orgânicos', 'Doces'],
  Ferramentas: ['Elétricas', 'Manuais', 'Jardinagem', 'Medição'],
  Saúde: ['Suplementos', 'Higiene', 'Ortopedia', 'Primeiros Socorros'],
  'Pet Shop': ['Cães', 'Gatos', 'Aquarismo', 'Pássaros'],
};
