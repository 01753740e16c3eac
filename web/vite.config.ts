import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import VueI18n from '@intlify/unplugin-vue-i18n/vite'

// The Go server (make run, :8080) answers /graphql, its websocket, the
// calendar feeds and the CSV exports; `make web-dev` proxies them.
const api = process.env.COGOV_API ?? 'http://localhost:8080'

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus per component: only what the pages use is bundled.
    AutoImport({ resolvers: [ElementPlusResolver()], dts: 'src/auto-imports.d.ts' }),
    Components({ resolvers: [ElementPlusResolver()], dts: 'src/components.d.ts' }),
    // The messages (src/i18n/*.json) compiled at build time; the runtime-only
    // vue-i18n (no message compiler) in the bundle.
    VueI18n({ include: [fileURLToPath(new URL('./src/i18n/*.json', import.meta.url))], runtimeOnly: true, compositionOnly: true }),
  ],
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
      '/export': { target: api },
      '/calendar': { target: api },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    // Element Plus's components import their CSS: let Vite handle them.
    server: { deps: { inline: ['element-plus'] } },
  },
})
