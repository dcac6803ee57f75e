import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Every schema in the project is built from this instance so `.openapi()` metadata is available.
extendZodWithOpenApi(z);

export { z };
