// The web app's entry point (docs/web.md): mounts the shell into #app. Built by
// scripts/build-web.mjs into dist/web, served by the daemon (src/api/static.ts).
import { render } from 'preact'
import { App } from './app.js'
import './app.css'

const root = document.getElementById('app')
if (root !== null) render(<App />, root)
