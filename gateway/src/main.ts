import { runMain } from '@chat/service-kit';
import { boot } from './app.js';

await runMain({ service: 'gateway', boot });
