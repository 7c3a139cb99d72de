import {
  BadGatewayException,
  BadRequestException,
  GatewayTimeoutException,
  Inject,
  Injectable,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';

export interface Translation {
  text: string;
  source_language: string;
  target_language: string;
}

const TIMEOUT_MS = 30_000;

/** Client of a LibreTranslate-compatible API: `POST <TRANSLATE_URL>/translate`. */
@Injectable()
export class TranslateClient {
  constructor(@Inject(ENV) private readonly env: Env) {}

  get configured(): boolean {
    return !!this.env.TRANSLATE_URL;
  }

  /** 503 when TRANSLATE_URL is unset. */
  assertConfigured(): void {
    if (!this.configured) {
      throw new ServiceUnavailableException('translation is not configured: set TRANSLATE_URL to a LibreTranslate-compatible server');
    }
  }

  async translate(text: string, source: string, target: string): Promise<Translation> {
    this.assertConfigured();
    if (!text.trim()) return { text: '', source_language: source, target_language: target };
    const url = `${this.env.TRANSLATE_URL!.replace(/\/+$/, '')}/translate`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          q: text,
          source,
          target,
          format: 'text',
          ...(this.env.TRANSLATE_API_KEY ? { api_key: this.env.TRANSLATE_API_KEY } : {}),
        }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new GatewayTimeoutException('the translation server did not answer in time');
      throw new BadGatewayException(`the translation server could not be reached: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as
      { translatedText?: unknown; detectedLanguage?: { language?: string }; error?: string } | undefined;
    if (response.status >= 400 && response.status < 500) {
      throw new BadRequestException(`the translation server refused the request: ${body?.error ?? response.statusText}`);
    }
    if (!response.ok || typeof body?.translatedText !== 'string') {
      throw new BadGatewayException(`the translation server failed (${response.status})`);
    }
    return {
      text: body.translatedText,
      source_language: source === 'auto' ? (body.detectedLanguage?.language ?? 'auto') : source,
      target_language: target,
    };
  }
}
