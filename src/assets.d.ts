// Files imported `with { type: "file" }` resolve to a path that Bun.file() can open (also in the binary).
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const path: string;
  export default path;
}
declare module "*.css" {
  const path: string;
  export default path;
}
