import { outboundContentSchema, publicUrlProblem } from '../../../lambdas/domain/outbound/contract';

describe('outbound image URLs', () => {
  it.each([
    ['https://169.254.169.254/latest/meta-data/iam/security-credentials/', 'metadata'],
    ['https://127.0.0.1/a.jpg', 'loopback'],
    ['https://2130706433/a.jpg', 'loopback'],
    ['https://0x7f.0.0.1/a.jpg', 'loopback'],
    ['https://[::1]/a.jpg', 'loopback'],
    ['https://[::ffff:169.254.169.254]/a.jpg', 'metadata'],
    ['https://10.0.0.5/a.jpg', 'private'],
    ['https://192.168.1.20/a.jpg', 'private'],
    ['https://localhost/a.jpg', 'local-name'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'metadata'],
    ['https://user:secret@cdn.example.com/a.jpg', 'userinfo'],
  ])('refuses %s (%s)', (url, reason) => {
    // Act
    const result = outboundContentSchema.safeParse({ type: 'image', url });

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([`url: The image URL must name a public host (${reason})`]);
  });

  it('accepts a public https image, a presigned S3 URL included', () => {
    // Act
    const results = [
      'https://cdn.example.com/pan-dulce.jpg',
      'https://echo-media.s3.us-east-1.amazonaws.com/acme/a.jpg?X-Amz-Signature=abc',
      'https://8.8.8.8/a.jpg',
    ].map((url) => outboundContentSchema.safeParse({ type: 'image', url }).success);

    // Assess
    expect(results).toEqual([true, true, true]);
    expect(publicUrlProblem('https://cdn.example.com/a.jpg')).toBeUndefined();
  });
});
