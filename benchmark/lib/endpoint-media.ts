/**
 * How long the shipped endpoint takes to store the files of one data_exchange request, five
 * 5 MB photos (PhotoPicker's usual case: 5 MB is WhatsApp's image limit), against local stand-ins: an HTTPS CDN
 * serving them encrypted as WhatsApp's CDN does, S3, KMS and the user's function (which answers at once). Each
 * request downloads, verifies (both hashes, the HMAC), decrypts and puts 25 MB. Loopback has no network latency, so
 * this is the endpoint's own cost (TLS, crypto, copies, the SDK); over the internet, the CDN's bandwidth adds to it.
 */
import { generateKeyPairSync } from 'crypto';
import { metaRequest } from '../../test/endpoint/meta';
import { cdnEncrypt, mediaEntry, photo } from '../../test/endpoint/meta-media';
import { AwsStandIn } from '../../test/endpoint/wire/aws-stand-in';
import { CdnStandIn, localhostCertificate } from '../../test/endpoint/wire/cdn-stand-in';
import { S3StandIn } from '../../test/endpoint/wire/s3-stand-in';
import { EndpointSandbox, functionUrlEvent } from '../../test/endpoint/wire/sandbox';

export interface MediaFigure {
  readonly files: number;
  readonly bytesPerFile: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** The same request without media entries: what the endpoint takes anyway. */
  readonly withoutMediaMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function storeFivePhotos(runs = 7, files = 5, bytesPerFile = 5 * 1024 * 1024): Promise<MediaFigure> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const aws = new AwsStandIn(privateKey);
  const s3 = new S3StandIn();
  const cdn = new CdnStandIn();
  const [awsUrl, s3Url] = await Promise.all([aws.start(), s3.start(), cdn.start()]);
  aws.userFunction = () => ({ payload: { screen: 'DONE', data: {} } });
  const sandbox = new EndpointSandbox(awsUrl, {
    FLOW_ENDPOINT_KMS_KEY_ID: aws.keyArn,
    FLOW_ENDPOINT_HANDLER: 'arn:aws:lambda:us-east-1:111111111111:function:claims',
    FLOW_ENDPOINT_MEDIA_BUCKET: 'claims-media',
    FLOW_ENDPOINT_MEDIA_HOSTS: cdn.host,
    AWS_ENDPOINT_URL_S3: s3Url,
    NODE_EXTRA_CA_CERTS: localhostCertificate().caFile,
  });
  await sandbox.start();
  const request = (photos: unknown[]) => metaRequest(publicKey, {
    version: '3.0', action: 'data_exchange', screen: 'CLAIM', flow_token: 'bench', data: { photos },
  });
  const timings: number[] = [];
  const plain: number[] = [];
  try {
    // One warm-up run (the S3 client loads on the first request with media, TLS sessions open), then the runs.
    for (let run = 0; run <= runs; run++) {
      s3.reset();
      const entries = Array.from({ length: files }, (_, i) => {
        const file = cdnEncrypt(photo(bytesPerFile));
        return mediaEntry(cdn.serve(`/r${run}/p${i}.enc`, { body: file.file }), `IMG_${run}_${i}.jpg`, file);
      });
      const outcome = await sandbox.invoke(functionUrlEvent(request(entries).body));
      const stored = [...s3.objects.values()].reduce((sum, o) => sum + o.body.length, 0);
      if (outcome.result?.statusCode !== 200 || stored !== files * bytesPerFile) {
        throw new Error(`run ${run}: answered ${outcome.result?.statusCode ?? outcome.error}, stored ${stored} bytes; logs ${outcome.logs.join(' ')}`);
      }
      const without = await sandbox.invoke(functionUrlEvent(request([]).body));
      if (run > 0) {
        timings.push(outcome.ms);
        plain.push(without.ms);
      }
    }
  } finally {
    await sandbox.stop();
    await Promise.all([aws.stop(), s3.stop(), cdn.stop()]);
  }
  return {
    files,
    bytesPerFile,
    runs,
    medianMs: median(timings),
    minMs: Math.min(...timings),
    maxMs: Math.max(...timings),
    withoutMediaMs: median(plain),
  };
}
