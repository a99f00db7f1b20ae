// The app's one table: translations served by the (simulated) LLM, as the report's app stores them.
import { int, mysqlTable, text, timestamp, varchar, index } from 'drizzle-orm/mysql-core';

export const translations = mysqlTable(
  'translations',
  {
    id: int('id').autoincrement().primaryKey(),
    cacheKey: varchar('cache_key', { length: 64 }).notNull(),
    lang: varchar('lang', { length: 8 }).notNull(),
    source: text('source').notNull(),
    summary: text('summary').notNull(),
    bytes: int('bytes').notNull(),
    createdAt: timestamp('created_at').defaultNow().notNull(),
  },
  (t) => [index('translations_key').on(t.cacheKey)],
);
