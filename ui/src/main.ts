// Entry point: mounts the window's app; with `?demo` in the URL (outside Tauri), first installs
// an in-browser demo backend.
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { startMark } from './lib/timeline';

async function start() {
  if (new URLSearchParams(location.search).has('demo')) {
    const { installDemo } = await import('./lib/demo');
    installDemo();
  }
  mount(App, { target: document.getElementById('app')! });
  startMark('app mounted');
}

start();
