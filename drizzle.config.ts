import { defineConfig } from 'drizzle-kit'

// `npm run db:generate` writes a new SQL migration into pipeline/db/migrations from schema.ts.
// Migrations are applied by pipeline/db/client.ts when a database is opened.
export default defineConfig({
  dialect: 'sqlite',
  schema: './schema/tables.ts',
  out: './pipeline/db/migrations',
})
