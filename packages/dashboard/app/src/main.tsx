import { render } from 'preact';
import { App } from './app.js';
import { registerGlobalPause } from './controls/global-pause.js';
import { registerControls } from './controls/index.js';
import { applyTheme, storedTheme } from './lib/theme.js';
import './styles/base.css';
import './styles/components.css';
import './styles/pages.css';

registerControls();
applyTheme(storedTheme());
registerGlobalPause();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
