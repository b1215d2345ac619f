import { Type } from '@sinclair/typebox';

/** `{ username, password }`: HTTP basic authentication to a backend (Elasticsearch, OpenSearch). */
export const BasicAuthSchema = Type.Object(
  {
    username: Type.String({ minLength: 1, description: 'User for HTTP basic authentication.' }),
    password: Type.String({ secret: true, description: 'Password for HTTP basic authentication.' }),
  },
  { additionalProperties: false, description: 'HTTP basic authentication.' },
);
