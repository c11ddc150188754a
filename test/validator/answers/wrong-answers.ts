/**
 * One wrong answer per rule of the answer contract, against Meta's "Book an appointment" Flow
 * (meta-book-appointment.ts): the API, the CLI and the shipped endpoint bundle are each tested with all of them.
 */
import { EXCHANGES, FLOW_TOKEN } from './meta-book-appointment';
import { ANSWER_RULES, AnswerRuleCode } from '../../../src/validator/answer-check';

export interface WrongAnswer {
  readonly code: AnswerRuleCode;
  readonly why: string;
  readonly request: { version: string; action: string; screen?: string; data?: Record<string, unknown>; flow_token: string };
  readonly answer: any;
  /** The JSONPath the problem is reported at. */
  readonly path: string;
}

const [init, refresh, details, summary] = EXCHANGES;
const withData = (answer: any, data: Record<string, unknown>) => ({ ...answer, data: { ...answer.data, ...data } });
const without = (answer: any, field: string) => {
  const data = { ...answer.data };
  delete data[field];
  return { ...answer, data };
};

export const WRONG_ANSWERS: WrongAnswer[] = [
  { code: 'ANSWER_NOT_AN_OBJECT', why: 'the function returned a list', request: refresh.request, answer: [refresh.answer], path: '$' },
  { code: 'ANSWER_SCREEN_MISSING', why: 'data without a screen', request: refresh.request, answer: { data: refresh.answer.data }, path: '$.screen' },
  { code: 'ANSWER_UNKNOWN_SCREEN', why: 'a typo in the screen id', request: details.request, answer: { ...details.answer, screen: 'SUMARY' }, path: '$.screen' },
  { code: 'ANSWER_SCREEN_NOT_ALLOWED', why: 'DETAILS may only go to SUMMARY', request: details.request, answer: { screen: 'TERMS', data: {} }, path: '$.screen' },
  { code: 'REQUEST_SCREEN_UNKNOWN', why: 'a request from a screen the Flow JSON does not have', request: { ...details.request, screen: 'CONTACT' }, answer: details.answer, path: '$' },
  { code: 'ANSWER_DATA_NOT_AN_OBJECT', why: 'data is a string', request: details.request, answer: { screen: 'SUMMARY', data: 'appointment booked' }, path: '$.data' },
  { code: 'ANSWER_DATA_MISSING_FIELD', why: 'SUMMARY without "details"', request: details.request, answer: without(details.answer, 'details'), path: '$.data.details' },
  { code: 'ANSWER_DATA_TYPE_MISMATCH', why: 'a string where a Dropdown needs a list of {id, title}', request: init.request, answer: withData(init.answer, { department: 'beauty' }), path: '$.data.department' },
  { code: 'ANSWER_DATA_UNKNOWN_FIELD', why: 'a field SUMMARY does not declare', request: details.request, answer: withData(details.answer, { apointment: 'x' }), path: '$.data.apointment' },
  { code: 'ANSWER_ERROR_MESSAGE_NOT_ALLOWED', why: 'error_message in an INIT answer', request: init.request, answer: withData(init.answer, { error_message: 'Try again' }), path: '$.data.error_message' },
  { code: 'ANSWER_SUCCESS_FLOW_TOKEN_MISSING', why: 'SUCCESS without params.flow_token', request: summary.request, answer: { screen: 'SUCCESS', data: { extension_message_response: { params: { booking: '42' } } } }, path: '$.data.extension_message_response.params.flow_token' },
  { code: 'ANSWER_SUCCESS_FLOW_TOKEN_MISMATCH', why: 'SUCCESS with the Flow Builder\'s placeholder token', request: summary.request, answer: { screen: 'SUCCESS', data: { extension_message_response: { params: { flow_token: 'REPLACE_FLOW_TOKEN' } } } }, path: '$.data.extension_message_response.params.flow_token' },
];

export const isWarning = (code: AnswerRuleCode) => ANSWER_RULES[code].severity === 'warning';
export { FLOW_TOKEN };
