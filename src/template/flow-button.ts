import { IWhatsAppFlow } from '../flow/whatsapp-flow';

/** What tapping a FLOW button does first. */
export enum FlowAction {
  /** Open the Flow on a screen of its Flow JSON: for a static Flow. */
  NAVIGATE = 'navigate',
  /** Ask the Flow's endpoint for the first screen and its data (an INIT request): for a dynamic Flow. */
  DATA_EXCHANGE = 'data_exchange',
}

/** The label of a FLOW button. */
export interface FlowButtonOptions {
  /** The button's label, 1 to 25 characters, for example 'Give feedback'. */
  readonly text: string;
}

/** The label of a FLOW button and the screen the Flow opens on. */
export interface NavigateFlowButtonOptions extends FlowButtonOptions {
  /** The id of the screen the Flow opens on: a screen of the Flow JSON that the Flow can navigate to. */
  readonly screen: string;
}

/**
 * A FLOW button of a message template: tapping it opens a WhatsApp Flow. The button carries the Flow's id, which
 * CloudFormation resolves when the Flow is made; the template is created after its Flow.
 *
 * The synth checks the button against the Flow when the Flow is declared in this app: the Flow is published, a
 * static Flow opens with `navigate` on a screen it has and can navigate to, and a dynamic Flow (one with an
 * endpoint) opens with `data_exchange`.
 *
 * @see https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components#flows-buttons
 */
export class FlowButton {
  /** Opens a static Flow on `options.screen`. */
  public static navigate(flow: IWhatsAppFlow, options: NavigateFlowButtonOptions): FlowButton {
    return new FlowButton(flow, FlowAction.NAVIGATE, options.text, options.screen);
  }

  /** Opens a dynamic Flow: its endpoint answers the INIT request with the first screen. */
  public static dataExchange(flow: IWhatsAppFlow, options: FlowButtonOptions): FlowButton {
    return new FlowButton(flow, FlowAction.DATA_EXCHANGE, options.text);
  }

  /**
   * @param flow the Flow the button opens
   * @param action what tapping the button does first
   * @param text the button's label
   * @param screen the screen a `navigate` button opens the Flow on
   */
  private constructor(
    /** The Flow the button opens. */
    public readonly flow: IWhatsAppFlow,
    /** What tapping the button does first. */
    public readonly action: FlowAction,
    /** The button's label. */
    public readonly text: string,
    /** The screen a `navigate` button opens the Flow on; undefined for `data_exchange`. */
    public readonly screen?: string,
  ) {}
}
