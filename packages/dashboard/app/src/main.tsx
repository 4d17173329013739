import { render } from 'preact';
import { App } from './app.js';
import { applyTheme, storedTheme } from './lib/theme.js';
import './styles/base.css';
import './styles/components.css';
import './styles/pages.css';

applyTheme(storedTheme());
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
