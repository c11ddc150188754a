/**
 * Rule family "screens": what a screen as a whole must be, given the components on it.
 *
 * Source: Meta's Flow JSON reference (developers.facebook.com/docs/whatsapp/flows/reference/flowjson) § Screens
 * ("terminal", "success": "only applicable on terminal screens", refused elsewhere per the "Error codes" page, which
 * also asks for at least one successful terminal screen; "a Footer is required on terminal screens";
 * the "complete" action "terminates the Flow"), and the components reference § RichText
 * ("until V6.2, the RichText component can only be used as a standalone component on the screen").
 */
import { FlowContext, isObject } from './context';
import { keyPath } from './json-path';
import { isAtLeast } from './versions';

/** Components reference § RichText: shares a screen with other components from 6.3. */
const RICH_TEXT_SHARES_SCREEN = '6.3';

export function checkScreens(ctx: FlowContext): void {
  if (!ctx.screens.some(s => s.terminal)) {
    ctx.report('NO_TERMINAL_SCREEN', '$.screens', 'Mark the last screen with "terminal": true and give it a Footer with a "complete" action.');
  }
  for (const screen of ctx.screens) {
    if (screen.screen.success !== undefined && !screen.terminal) {
      ctx.report('SUCCESS_ON_NON_TERMINAL', keyPath(screen.path, 'success'),
        '"success" can only be set on a terminal screen. Remove it, or mark the screen "terminal": true.');
    }
    const layout = screen.screen.layout;
    const laidOut = isObject(layout) && layout.type === 'SingleColumnLayout' && Array.isArray(layout.children);
    const footers = screen.components.filter(c => c.type === 'Footer');
    if (screen.terminal && laidOut && footers.length === 0) {
      ctx.report('TERMINAL_WITHOUT_FOOTER', screen.path, 'A terminal screen needs a Footer (usually with a "complete" action).');
    }
    if (screen.terminal) {
      for (const footer of footers) {
        const action = footer.component['on-click-action'];
        if (isObject(action) && action.name === 'navigate') {
          ctx.report('TERMINAL_FOOTER_NAVIGATES', keyPath(footer.path, 'on-click-action'),
            'The Footer of a terminal screen usually ends the Flow with "complete" (or "data_exchange" for an endpoint). Check that navigating from here is meant.');
        }
      }
    }
    // Components § RichText: "Until V6.2, the RichText component can only be used as a standalone component";
    // from 6.3 it may share the screen with a Footer.
    const others = screen.components.filter(c => c.type !== 'RichText');
    if (!isAtLeast(ctx.version, RICH_TEXT_SHARES_SCREEN) && others.length > 0) {
      const richText = screen.components.find(c => c.type === 'RichText');
      if (richText) {
        ctx.report('RICH_TEXT_NOT_ALONE', richText.path,
          `Before Flow JSON ${RICH_TEXT_SHARES_SCREEN}, RichText must be the only component on its screen; this Flow is ${ctx.version}. Move the other components to another screen or raise "version".`);
      }
    }
  }
  const terminals = ctx.screens.filter(s => s.terminal);
  if (terminals.length > 0 && terminals.every(s => s.screen.success === false)) {
    ctx.report('NO_SUCCESSFUL_TERMINAL', '$.screens',
      'Every terminal screen has "success": false. Set "success": true (or leave it out: true is the default) on the screen that ends the Flow well.');
  }
  for (const action of ctx.actions) {
    if (action.name === 'complete' && !action.screen.terminal) {
      ctx.report('COMPLETE_ON_NON_TERMINAL', action.path, 'A "complete" action ends the Flow: use it only on a screen with "terminal": true.');
    }
  }
}
