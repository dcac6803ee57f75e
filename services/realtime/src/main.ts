import { runMain } from '@chat/service-kit';
import { SERVICE, boot } from './app.js';

await runMain({ service: SERVICE, boot });
