// drizzle-kit's SQL files are imported as text (migrations.gen.ts).
declare module "*.sql" {
  const text: string;
  export default text;
}
