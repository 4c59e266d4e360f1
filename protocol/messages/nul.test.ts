import { describe, expect, it } from 'vitest';
import { decodeMessage } from './codec.ts';
import { MessageDecodeError } from './errors.ts';

// Vehicle text is stored in PostgreSQL, which cannot hold U+0000: the decoder refuses it, naming the field.
describe('U+0000 in a received message', () => {
  it('is refused as malformed, naming the field', () => {
    const request = {
      requestId: 'req-00000001',
      campaignId: 'camp\u00007',
      trustedRootVersions: { image: 1, director: 1 },
    };
    const bytes = new TextEncoder().encode(JSON.stringify(request));
    expect(() => decodeMessage('metadata/request', bytes)).toThrow(MessageDecodeError);
    expect(() => decodeMessage('metadata/request', bytes)).toThrow(/metadata\/request\.campaignId: .*U\+0000/);
    const clean = new TextEncoder().encode(JSON.stringify({ ...request, campaignId: 'camp-7' }));
    expect(decodeMessage('metadata/request', clean)).toMatchObject({ campaignId: 'camp-7' });
  });
});
