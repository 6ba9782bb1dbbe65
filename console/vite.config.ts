// The console's build: one HTML page, hashed script and style files under
// assets/, nothing inline (the server's Content-Security-Policy allows
// only 'self'), no source maps (the binary embeds dist/ whole).
import { defineConfig } from "vite";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2022",
  },
});
