import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { listenToDevServer } from './dev';
import './theme.css';

createRoot(document.getElementById('root')!).render(<App />);
listenToDevServer();
