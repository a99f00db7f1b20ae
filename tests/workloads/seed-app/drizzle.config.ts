// drizzle-kit's config: `drizzle-kit push` creates the table from the schema, `drizzle-kit studio`
// serves the database browser (the stray process of the report, left running beside the server).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: './server/_core/schema.ts',
  out: './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL! },
});
