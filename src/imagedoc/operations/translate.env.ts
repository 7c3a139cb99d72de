import { IsOptional, IsString, Matches } from 'class-validator';

/** The translation service ImageDoc's translate operation calls. */
export class TranslateEnv {
  /** Base URL of a LibreTranslate-compatible API (POST <url>/translate). Unset: translation answers 503. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'TRANSLATE_URL must be an http:// or https:// URL' })
  TRANSLATE_URL?: string;

  /** API key sent to TRANSLATE_URL (LibreTranslate's `api_key`), if that server requires one. */
  @IsOptional()
  @IsString()
  TRANSLATE_API_KEY?: string;
}
