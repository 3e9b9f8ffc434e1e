// SPDX-License-Identifier: MIT
// Errors: one class per kind of failure (lib/errors.js).

export declare class VidgoError extends Error {
  constructor(message: string, errno?: number, code?: string, userMessage?: string, detail?: string);
  /** The status name, e.g. 'VG_EINSUFFICIENT_CREDITS' ('ERR_VIDGO_CLOSED' for ClosedError). */
  code: string;
  /** The vg_status number. */
  errno: number;
  /** The description for end users, in the engine's language (err.message starts with it). */
  userMessage: string;
  /** libvidgo's own account of this failure (English, never a secret), or ''. */
  detail: string;
}

export declare class InternalError extends VidgoError {}
export declare class InvalidArgument extends VidgoError {}
export declare class OutOfMemory extends VidgoError {}
export declare class NotFound extends VidgoError {}
export declare class AlreadyExists extends VidgoError {}
export declare class Unsupported extends VidgoError {}
export declare class InvalidState extends VidgoError {}
export declare class VersionError extends VidgoError {}
export declare class ConfigError extends VidgoError {}
export declare class Cancelled extends VidgoError {}
export declare class Timeout extends VidgoError {}
export declare class IOFailure extends VidgoError {}
export declare class BufferTooSmall extends InvalidArgument {}
export declare class ClosedError extends VidgoError {}
export declare class StoreError extends VidgoError {}
export declare class StoreOpenError extends StoreError {}
export declare class StoreCorrupt extends StoreError {}
export declare class StoreVersionError extends StoreError {}
export declare class StoreBusy extends StoreError {}
export declare class StoreConflict extends StoreError {}
export declare class StoreReadOnly extends StoreError {}
export declare class ConstraintError extends StoreError {}
export declare class StoreConnectError extends StoreError {}
export declare class PlanUnknown extends NotFound {}
export declare class ServiceUnknown extends NotFound {}
export declare class AccessDenied extends VidgoError {}
export declare class PlanTooLow extends AccessDenied {}
export declare class SubscribersOnly extends AccessDenied {}
export declare class ResolutionNotAllowed extends AccessDenied {}
export declare class DemoCacheOnly extends AccessDenied {}
export declare class DemoUsedUp extends AccessDenied {}
export declare class ParameterNotAllowed extends AccessDenied {}
export declare class CreditsError extends VidgoError {}
export declare class InsufficientCredits extends CreditsError {}
export declare class IdempotencyConflict extends VidgoError {}
export declare class HoldSettled extends CreditsError {}
export declare class HoldExpired extends CreditsError {}
export declare class LedgerTampered extends CreditsError {}
export declare class InvariantViolation extends CreditsError {}
export declare class AccountError extends VidgoError {}
export declare class EmailInvalid extends AccountError {}
export declare class EmailTaken extends AccountError {}
export declare class PasswordPolicy extends AccountError {}
export declare class AuthFailed extends AccountError {}
export declare class NotVerified extends AccountError {}
export declare class VerificationFailed extends AccountError {}
export declare class CodeInvalid extends VerificationFailed {}
export declare class CodeExpired extends VerificationFailed {}
export declare class CodeExhausted extends VerificationFailed {}
export declare class RateLimited extends AccountError {
  /** Seconds to wait before trying again. */
  retryAfter: number;
}
export declare class TokenError extends AccountError {}
export declare class TokenInvalid extends TokenError {}
export declare class TokenExpired extends TokenError {}
export declare class TokenRevoked extends TokenError {}
export declare class AccountDisabled extends AccountError {}
export declare class EmailSendError extends AccountError {}
export declare class CacheError extends VidgoError {}
export declare class CacheMiss extends CacheError {}
export declare class DimensionMismatch extends CacheError {}
export declare class InvalidPrompt extends CacheError {}
export declare class PromptEmpty extends InvalidPrompt {}
export declare class PromptTooLong extends InvalidPrompt {}
export declare class ProviderError extends VidgoError {}
export declare class ProviderAuthError extends ProviderError {}
export declare class ProviderRateLimited extends ProviderError {}
export declare class ProviderUnavailable extends ProviderError {}
export declare class NetworkError extends ProviderUnavailable {}
export declare class CircuitOpen extends ProviderUnavailable {}
export declare class ProviderTimeout extends ProviderError {}
export declare class ProviderResponseError extends ProviderError {}
export declare class ProviderRejected extends ProviderError {}
export declare class OutcomeUnknown extends ProviderError {}
export declare class NoApiKey extends ProviderError {}
export declare class GenerationError extends VidgoError {}
export declare class ModerationBlocked extends GenerationError {}
export declare class JobStateError extends GenerationError {}
export declare class JobFailed extends GenerationError {}
export declare class JobCancelled extends GenerationError {}
export declare class PaidOnly extends GenerationError {}
export declare class InputAssetError extends GenerationError {}
export declare class PaymentError extends VidgoError {}
export declare class SignatureError extends PaymentError {}
export declare class ReplayError extends SignatureError {}
export declare class AmountMismatch extends PaymentError {}
export declare class MerchantMismatch extends PaymentError {}
export declare class OrderStateError extends PaymentError {}
export declare class PromoError extends PaymentError {}
export declare class PromoInvalid extends PromoError {}
export declare class PromoExpired extends PromoError {}
export declare class PromoUsed extends PromoError {}
export declare class CurrencyError extends PaymentError {}

export declare function classFor(errno: number): typeof VidgoError;
export declare function makeError(errno: number, message: string, retryAfter: number, lang: string): VidgoError;
/** The error of the status named code ('VG_ETIMEOUT'), for a failure found in JS. */
export declare function errorOf(code: string, detail: string, lang?: string): VidgoError;
export declare function allCodes(): { errno: number; code: string }[];
