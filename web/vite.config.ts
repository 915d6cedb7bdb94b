import { defineConfig } from "vite";

// Built into dist/ (index.html + assets/), which `onemap serve` serves. During development
// `npm run dev` proxies the API and tiles to a running `onemap serve` on port 8080.
const api = "http://127.0.0.1:8080";
export default defineConfig({
  base: "/",
  build: { outDir: "dist", assetsDir: "assets", chunkSizeWarningLimit: 2000, sourcemap: false },
  server: {
    proxy: Object.fromEntries(
      ["/api", "/tiles", "/style.json", "/collections", "/conformance"].map((p) => [p, api]),
    ),
  },
});
