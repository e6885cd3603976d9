//! Every word the portal's pages show, in one place (English; a translation replaces this module).
//! Messages about a field's value come from the API itself (problem+json `errors`), so the page and
//! the API never say different things.

pub const PRODUCT: &str = "Tessera";
pub const SKIP_TO_CONTENT: &str = "Skip to content";
pub const NAV_LABEL: &str = "Account";
pub const FOOTER: &str = "Tessera accounts and certifications.";
pub const THERE_IS_A_PROBLEM: &str = "There is a problem";
pub const ERROR_PREFIX: &str = "Error: ";
pub const YES: &str = "Yes";
pub const NO: &str = "No";
pub const CONTINUE: &str = "Continue";
pub const SUBMIT: &str = "Submit";
pub const CANCEL: &str = "Cancel";

// Navigation
pub const SIGN_IN: &str = "Log in";
pub const SIGN_OUT: &str = "Log out";
pub const CREATE_ACCOUNT: &str = "Sign up";
pub const PROFILE: &str = "Profile";
pub const SECURITY: &str = "Security";
pub const ACCESS: &str = "Access";

// Refusals before any route
pub const FORM_EXPIRED_TITLE: &str = "Please try again";
pub const FORM_EXPIRED: &str =
    "This form expired or came from another site. Go back, reload the page and send it again.";
pub const NOT_A_FORM: &str = "The page sent something that is not a form. Go back and try again.";
pub const FORM_TOO_LARGE: &str = "The form was too large. Shorten what you entered and try again.";
pub const NOT_FOUND_TITLE: &str = "Page not found";
pub const NOT_FOUND: &str =
    "There is no page at this address. Check the address, or start from the log-in page.";
pub const SERVER_ERROR_TITLE: &str = "Something went wrong";
pub const SERVER_ERROR: &str =
    "Something went wrong on our side. Please try again in a few minutes.";
pub const SIGNED_OUT_NOTICE: &str = "You are logged out.";
pub const SESSION_ENDED: &str = "Your session ended. Log in again to continue.";

// Log in (step 1: email, step 2: password, step 3: the authenticator's code)
pub const SIGN_IN_TITLE: &str = "Log in";
pub const SIGN_IN_TO_CONTINUE: &str =
    "Log in to continue: you will be taken back to the page you opened.";
pub const EMAIL: &str = "Email address";
pub const EMAIL_HINT_SIGN_IN: &str =
    "Use the email address of your account. Forgot it? Try your business email address.";
pub const PASSWORD: &str = "Password";
pub const NEXT: &str = "Next";
pub const VERIFY_PASSWORD_TITLE: &str = "Verify with your password";
pub const SIGNING_IN_AS: &str = "Logging in as";
pub const NOT_YOU: &str = "Not you? Use another email address";
pub const FORGOT_PASSWORD_LINK: &str = "Forgot password?";
pub const FORGOT_EMAIL_LINK: &str = "Forgot email address?";
pub const SECOND_STEP_TITLE: &str = "Verify with your authenticator";
pub const SECOND_STEP_INTRO: &str = "Enter the 6-digit code your authenticator app shows for this account, or one of your recovery codes.";
pub const AUTHENTICATOR_CODE: &str = "Code";
pub const VERIFY: &str = "Verify";
pub const NO_ACCOUNT: &str = "No account yet?";

// Sign up and activation
pub const SIGN_UP_TITLE: &str = "Create an account";
pub const SIGN_UP_INTRO: &str = "All registrations are personal: use your own first and last name. Business email addresses are preferred.";
pub const FIRST_NAME: &str = "First name";
pub const LAST_NAME: &str = "Last name";
pub const COUNTRY: &str = "Country";
pub const COUNTRY_HINT: &str = "Two letters, for example US, GB or DE.";
pub const PASSWORD_RULES: &str = "Your password needs";
pub const RULE_MET: &str = "met";
pub const RULE_NOT_MET: &str = "not met yet";
pub const REGISTER: &str = "Register";
pub const ACTIVATE_TITLE: &str = "Activate your account";
pub const ACTIVATION_SENT: &str = "We sent an email with an activation code to the address you gave. If it does not arrive within a few minutes, check your spam or junk folders, or send a new code.";
pub const ACTIVATION_CODE: &str = "Activation code";
pub const ACTIVATION_LINK_OPENED: &str =
    "Your code is filled in. Enter the password you chose, then activate your account.";
pub const ACTIVATION_PASSWORD_HINT: &str = "The password you chose when you signed up.";
pub const ACTIVATE: &str = "Activate";
pub const RESEND_CODE: &str = "Send a new code";
pub const CODE_RESENT: &str = "If the address has an account waiting for activation, a new code is on its way. It replaces the old one.";
pub const ACTIVATED: &str = "Your account is active. Log in with your email address and password.";
pub const YOUR_USERNAME: &str = "Your username is";

// Forgot password
pub const FORGOT_PASSWORD_TITLE: &str = "Reset your password";
pub const FORGOT_PASSWORD_INTRO: &str = "We send a verification code to your email address or, if you added a mobile number on your security page, by text message.";
pub const RESET_CHANNEL: &str = "Send the code by";
pub const RESET_BY_EMAIL: &str = "Email";
pub const RESET_BY_SMS: &str = "Text message (SMS) to the mobile number on your account";
pub const SEND_CODE: &str = "Send code";
pub const RESET_CODE_SENT: &str =
    "If the details match an account, a verification code is on its way. Enter it below.";
pub const VERIFICATION_CODE: &str = "Verification code";
pub const NEW_PASSWORD_TITLE: &str = "Choose a new password";
pub const NEW_PASSWORD: &str = "New password";
pub const CONFIRM_PASSWORD: &str = "Confirm new password";
pub const RESET_MFA_HINT: &str = "Your account has an authenticator: enter its current code.";
pub const RESET_MFA_WRONG: &str = "The code is wrong or was already used. Enter the current code from your authenticator app, or a recovery code.";
pub const RESET_PASSWORD: &str = "Reset password";
pub const PASSWORD_RESET_DONE: &str =
    "Your password is changed and every session logged out. Log in with your new password.";

// Forgot email
pub const FORGOT_EMAIL_TITLE: &str = "Forgot your email address?";
pub const FORGOT_EMAIL_INTRO: &str = "Enter your username and password and we show the email address of your account, or enter your last known email address and we send a reminder to it if it is an account's.";
pub const USERNAME: &str = "Username";
pub const BY_USERNAME: &str = "By username and password";
pub const BY_LAST_EMAIL: &str = "By last known email address";
pub const LAST_EMAIL: &str = "Last known email address";
pub const SHOW_MY_EMAIL: &str = "Show my email address";
pub const SEND_REMINDER: &str = "Send a reminder";
pub const YOUR_EMAIL_IS: &str = "The email address of your account is";
pub const REMINDER_EMAILED: &str = "We also sent a confirmation to that address.";
pub const REMINDER_SENT: &str =
    "If that address belongs to an account, a reminder is on its way to it.";
pub const REMINDER_MFA: &str = "Your account has an authenticator, so the address is not shown here: we emailed it a reminder.";

// Profile
pub const PROFILE_TITLE: &str = "Your profile";
pub const PERSONAL: &str = "Personal details";
pub const COMPANY_DETAILS: &str = "Company details";
pub const COMPANY: &str = "Company";
pub const JOB_TITLE: &str = "Job title";
pub const EMAIL_DELIVERY: &str = "Email";
pub const EMAIL_DELIVERED: &str = "sent as usual";
pub const EMAIL_SUPPRESSED_SINCE: &str = "suppressed since";
pub const RESUME_EMAIL: &str = "Resume email";
pub const RESUME_EMAIL_HINT: &str = "Mail to this address stopped after a bounce or a spam complaint. Resume it once the owner confirms their mailbox accepts our mail.";
pub const EMAIL_SUPPRESSED: &str = "We are not sending email to your address:";
pub const SUPPRESSED_HARD_BOUNCE: &str = "messages to it were returned as undeliverable.";
pub const SUPPRESSED_COMPLAINT: &str = "a message to it was marked as spam.";
pub const SUPPRESSED_SOFT_BOUNCES: &str = "messages to it kept being returned.";
pub const EMAIL_SUPPRESSED_HELP: &str = "Codes, notices and reminders will not reach you. Once your mailbox accepts our mail again, contact support to resume it.";
pub const EMAIL_CHANGE_NOTE: &str = "Email address changes are not made on this page. A new account does not carry your history, certificates or training: to move this account to a new address, contact support.";
pub const SAVE: &str = "Save";
pub const SAVED: &str = "Saved.";
pub const COMMUNICATION: &str = "Communication settings";
pub const COMMUNICATION_INTRO: &str =
    "How you would like to hear from us about products and services.";
pub const PRODUCT_UPDATES: &str = "Product updates";
pub const NEWSLETTERS: &str = "Newsletters";
pub const EVENT_INVITATIONS: &str = "Event invitations";

// Security
pub const SECURITY_TITLE: &str = "Account security";
pub const FEDERATED_NOTE: &str = "This account signs in through its organisation, so it has no password or security settings here.";
pub const CHANGE_PASSWORD: &str = "Change password";
pub const CURRENT_PASSWORD: &str = "Current password";
pub const CHANGE_PASSWORD_NOTE: &str = "Submitting changes your password and logs you out everywhere, this browser too: you log in again with the new password.";
pub const PASSWORD_CHANGED: &str =
    "Your password is changed and you are logged out. Log in with your new password.";
pub const MFA_TITLE: &str = "Multi-factor authentication";
pub const MFA_INTRO: &str = "An authenticator app on your phone adds a second step to logging in: after your password, you enter the code it shows.";
pub const MFA_ON: &str = "On: logging in asks for your authenticator's code.";
pub const MFA_OFF: &str = "Off.";
pub const MFA_TURN_ON: &str = "Set up an authenticator";
pub const MFA_TURN_ON_HINT: &str = "Verify with your password to begin.";
pub const MFA_SCAN: &str =
    "Scan this code with your authenticator app, then enter the 6-digit code it shows.";
pub const MFA_QR_ALT: &str = "QR code for your authenticator app";
pub const MFA_KEY_INSTEAD: &str = "Cannot scan? Enter this key instead";
pub const MFA_CONFIRM: &str = "Turn on";
pub const RECOVERY_TITLE: &str = "Your recovery codes";
pub const RECOVERY_INTRO: &str = "Multi-factor authentication is on. Keep these codes somewhere safe: each logs you in once if you lose your phone. They are shown only now.";
pub const MFA_TURN_OFF: &str = "Turn off";
pub const MFA_TURN_OFF_HINT: &str = "Verify with your password and a current code. You may want to remove this account from your authenticator app too.";
pub const MFA_TURNED_OFF: &str = "Multi-factor authentication is off.";
pub const PHONE_TITLE: &str = "Mobile phone number";
pub const PHONE_INTRO: &str =
    "A mobile number lets you reset your password by text message as well as by email.";
pub const PHONE_NONE: &str = "No mobile number.";
pub const PHONE_VERIFIED: &str = "verified";
pub const PHONE_UNVERIFIED: &str = "not verified yet";
pub const PHONE_NUMBER: &str = "Mobile number";
pub const PHONE_HINT: &str =
    "As you dial it in that country (for example 06 12 34 56 78), or with + and the country code.";
pub const PHONE_COUNTRY: &str = "Country of the number";
pub const PHONE_ADD: &str = "Add or change the number";
pub const PHONE_CODE_SENT: &str = "We sent a code by text message. Enter it to finish.";
pub const PHONE_SAVED: &str = "Your mobile number is verified.";
pub const PHONE_REMOVE: &str = "Remove the number";
pub const PHONE_REMOVED: &str = "Your mobile number is removed.";

// Certification tracking
pub const CERTIFICATIONS: &str = "Certifications";
pub const PORTAL_NAV_LABEL: &str = "Certification tracking";
pub const PERSONAL_INFO: &str = "Personal info";
pub const TESTING_HISTORY: &str = "Testing history";
pub const LOGOS: &str = "Logos";
pub const DISPLAY_OPTIONS: &str = "Display options: what the transcript page shows";
pub const SHOW_DATES: &str = "Each certification's dates";
pub const SHOW_CANDIDATE_ID: &str = "My candidate ID";
pub const SHOW_LOCATION: &str = "My country and company, as on my account";
pub const ADDRESS_LINES: &str = "Address lines to show";
pub const ADDRESS_LINES_HINT: &str = "Up to 4 lines, one per line. Leave empty to show no address.";
pub const PREVIEW_EMAIL: &str = "Preview the email";
pub const EMAIL_PREVIEW_TITLE: &str = "Transcript email preview";
pub const EMAIL_PREVIEW_INTRO: &str = "This is the email a recipient gets when you send this transcript. You can also copy the link into an email of your own.";
pub const BACK_TO_TRANSCRIPTS: &str = "Back to transcripts";
pub const TRANSCRIPTS: &str = "Transcripts";
pub const MAPPING_TITLE: &str = "Find your certification record";
pub const MAPPING_INTRO: &str = "Link this account to your certification record once. The email address we have on file is most often the one you gave the last time you took an exam.";
pub const BY_EMAIL: &str = "By email address";
pub const BY_EMAIL_INTRO: &str = "We send a code to the address on your record. If you cannot use the address you last used for an exam, use your score report instead.";
pub const BY_SCORE_REPORT: &str = "By score report";
pub const BY_SCORE_REPORT_INTRO: &str = "Enter the details from your score report. When they match, the record's email address becomes the new one you give below.";
pub const REGISTRATION_NUMBER: &str = "Registration number";
pub const NEW_EMAIL: &str = "New email address";
pub const MAPPING_CODE_SENT: &str =
    "If the address is on a certification record, a code is on its way to it. Enter it here.";
pub const MAPPING_CODE: &str = "Code from the email";
pub const MAPPING_LINK_OPENED: &str =
    "Your code is filled in from the email's link. Confirm to finish linking your record.";
pub const MAPPED: &str = "Your account is linked to your certification record.";
pub const MAPPED_CONFIRM_EMAIL: &str = "Your account is linked. We sent a code to the new email address: enter it to make it the address on your record.";
pub const ACTIVE_CERTIFICATIONS: &str = "Active certifications";
pub const IN_PROGRESS: &str = "In progress";
pub const PAST_CERTIFICATIONS: &str = "Past certifications";
pub const NONE_YET: &str = "None.";
pub const NAME: &str = "Name";
pub const STATUS: &str = "Status";
pub const STARTED: &str = "Started";
pub const ACTIVE_SINCE: &str = "Active";
pub const EXPIRES: &str = "Expires";
pub const DOWNLOADS: &str = "Downloads";
pub const PDF_CERTIFICATE: &str = "PDF certificate";
pub const CERTIFICATE_VERIFICATION: &str = "Anyone can check this certificate with its code";
pub const VERIFICATION_PAGE: &str = "Its public verification page";
pub const CHECKS_SO_FAR: &str = "Checks so far (who checked is never recorded)";
pub const LOGO: &str = "Logo";
pub const NOT_APPLICABLE: &str = "n/a";
pub const NEVER: &str = "Never";
pub const PROGRESS_TOWARD_RENEWAL: &str = "Current progress toward renewal";
pub const PROGRESS_TOWARD_EARNING: &str = "Current progress toward earning it";
pub const MET: &str = "Met";
pub const NOT_MET: &str = "Not met yet";
pub const CE_CREDITS: &str = "Continuing education credits";
pub const ACTIVITY: &str = "Activity";
pub const PROVIDER: &str = "Provider";
pub const POINTS: &str = "Points";
pub const ACTIVE_DATE: &str = "Active date";
pub const INACTIVE_DATE: &str = "Inactive date";
pub const HISTORY: &str = "History";
pub const HOW: &str = "How";
pub const BY_EXAM: &str = "by exam";
pub const BY_CE_CREDITS: &str = "by CE credits";
pub const BY_HIGHER_CERTIFICATION: &str = "by a higher certification";
pub const BY_MANUAL_GRANT: &str = "granted by the program";
pub const DATE: &str = "Date";
pub const EVENT: &str = "Event";
pub const NOTE: &str = "Note";
pub const IDENTIFIERS: &str = "Identifiers";
pub const IDENTIFIERS_INTRO: &str = "The IDs assigned to your record, including testing IDs.";
pub const LOGIN_ID: &str = "Login ID";
pub const CANDIDATE_ID: &str = "Candidate ID";
pub const BADGING_EMAIL: &str = "Email on file";
pub const TESTING_IDS: &str = "Testing IDs";
pub const SETTINGS: &str = "Settings";
pub const SETTINGS_INTRO: &str = "Every question needs an answer.";
pub const SETTING_EMPLOYEE: &str = "Are you an employee of the program's organisation?";
pub const SETTING_PARTNER: &str = "Do you work for a partner or reseller?";
pub const SETTING_EMAIL_NOTIFICATIONS: &str = "May we email you about your certifications?";
pub const SETTING_ACADEMY: &str = "Are you an academy student?";
pub const SETTING_CONSENT: &str =
    "Do you consent to third parties verifying your certification status (transcripts)?";
pub const ATTRIBUTES: &str = "Attributes";
pub const CREDENTIAL_NUMBERS: &str = "Credential numbers";
pub const EXAMS: &str = "Exams";
pub const EXAM: &str = "Exam";
pub const CODE: &str = "Code";
pub const GRADE: &str = "Grade";
pub const SORT_BY: &str = "Sort by";
pub const ASCENDING: &str = "ascending";
pub const DESCENDING: &str = "descending";
pub const CE_ACTIVITIES: &str = "CE activities";
pub const AGREEMENTS: &str = "Agreements";
pub const LOGOS_INTRO: &str = "By downloading a logo you agree to the logo guidelines below.";
pub const LOGO_GUIDELINES: &str = "Logo guidelines";
pub const SEARCH_ACTIVITIES: &str = "Search CE activities";
pub const SEARCH: &str = "Search";
pub const NO_MATCHING_ACTIVITIES: &str = "No CE activity matches that search.";
pub const LOGO_GUIDELINES_ACCEPTED: &str = "You accepted these guidelines on";
pub const AVAILABLE_LOGOS: &str = "Available logo files";
pub const TRANSCRIPTS_INTRO: &str = "A transcript is a page about your certifications that you share by link: with a recruiter, an employer or anyone you choose. Each view is counted.";
pub const NEW_TRANSCRIPT: &str = "Create a transcript";
pub const DESCRIPTION: &str = "Description";
pub const DESCRIPTION_HINT: &str = "For you: who the transcript is for.";
pub const DISPLAY_NAME: &str = "Name shown on the transcript";
pub const REMARKS: &str = "Remarks";
pub const EXPIRES_IN_DAYS: &str = "Days until the link expires";
pub const INCLUDE_NEW: &str = "Include certifications I earn later";
pub const CREATE: &str = "Create";
pub const LINK: &str = "Link";
pub const VIEWS: &str = "Views";
pub const EMAIL_TO: &str = "Email the link to";
pub const SEND: &str = "Send";
pub const DELETE: &str = "Delete";
pub const TRANSCRIPT_CREATED: &str = "Your transcript is ready. Share its link.";
pub const TRANSCRIPT_SENT: &str = "The link is on its way.";
pub const TRANSCRIPT_DELETED: &str = "The transcript is deleted: its link no longer opens.";
pub const TRANSCRIPT_NEEDS_CONSENT: &str = "Transcripts need your consent to third-party verification: answer its question on the Personal info page.";
pub const NO_TRANSCRIPTS: &str = "No transcripts yet.";
pub const LAST_VIEWED: &str = "Last viewed";
pub const NOT_VIEWED: &str = "Not yet";
pub const SHARE: &str = "Share";
pub const SHARE_PROFESSIONAL_NETWORK: &str = "on a professional network";
pub const SHARE_MICROBLOG: &str = "on a microblog";
pub const SHARE_SOCIAL_NETWORK: &str = "on a social network";
/// The networks of the API's `share` links, as the pages name them.
pub const SHARE_NETWORKS: [(&str, &str); 3] = [
    ("linkedin", SHARE_PROFESSIONAL_NETWORK),
    ("x", SHARE_MICROBLOG),
    ("facebook", SHARE_SOCIAL_NETWORK),
];
pub const CONSENT_TEXT_CHANGED: &str =
    "The consent text below changed since you answered: please read it and answer again.";
pub const ORDER_STAGES: &str = "Stages";
pub const ECOMMERCE_TRANSACTIONS: &str = "E-commerce Transactions";
pub const TRANSACTION: &str = "Transaction";
pub const AMOUNT: &str = "Amount";
pub const TRANSACTION_PAYMENT: &str = "Payment";
pub const TRANSACTION_REFUND: &str = "Refund";
pub const TRANSACTION_AWAITING_PAYMENT: &str = "Awaiting payment (nothing charged)";
pub const TRANSACTION_CANCELLED: &str = "Cancelled (nothing charged)";
pub const DIGITAL_BADGES: &str = "Digital Badges";
pub const BADGES_INTRO: &str = "Each certification you earn is also a digital badge: a credential signed by the program that anyone can verify without asking us. Download it, add it to a professional profile, or share its public link.";
pub const NO_BADGES_YET: &str = "No badges yet: a badge is issued when you earn a certification.";
pub const BADGE_ACTIVE: &str = "Active";
pub const BADGE_EXPIRED: &str = "Expired: it verifies as expired";
pub const BADGE_SUSPENDED: &str = "Suspended: it verifies as suspended";
pub const BADGE_REVOKED: &str = "Revoked: it verifies as revoked";
pub const ISSUED_ON: &str = "Valid from";
pub const PUBLIC_CREDENTIAL: &str = "Public credential";
pub const DOWNLOAD_CREDENTIAL: &str = "Download the credential (VC-JWT)";
pub const DOWNLOAD_BADGE_PNG: &str = "Download the badge image (PNG)";
pub const DOWNLOAD_BADGE_SVG: &str = "Download the badge image (SVG)";
pub const ADD_TO_PROFILE: &str = "Add to your professional profile";
pub const EDIT_TRANSCRIPT: &str = "Edit";
pub const EXPIRES_KEEP_HINT: &str = "From today; leave it empty to keep the date above.";
pub const TRANSCRIPT_SAVED: &str = "Your changes are saved; the link stays the same.";
pub const EXPIRED: &str = "expired";

// Certificates & plaques
pub const CERTIFICATES_AND_PLAQUES: &str = "Certificates & plaques";
pub const KITS_INTRO: &str = "Order a printed certificate kit, a plaque or a recognition letter for each active certification. The first certificate kit of each certification is free.";
pub const KIT: &str = "Item";
pub const PRICE: &str = "Price";
pub const QUANTITY: &str = "Quantity";
pub const FREE_INITIAL_KIT: &str = "free (initial kit)";
pub const NO_KITS: &str = "Certificates and plaques are for active certifications: none yet.";
pub const SHIPPING: &str = "Shipping address";
pub const SHIPPING_LOCALIZED: &str = "The address in your own script (optional)";
pub const SHIPPING_LOCALIZED_HINT: &str =
    "If your address is written in another script, enter it here too: the parcel carries both.";
pub const PHONE: &str = "Phone";
pub const ADDRESS: &str = "Address";
pub const ADDRESS_CONT: &str = "Address (continued)";
pub const CITY: &str = "City";
pub const REGION: &str = "State, province or region";
pub const POSTAL_CODE: &str = "Postal code";
pub const TRACKING: &str = "Trackable shipping";
pub const PAYMENT_METHOD: &str = "Payment method";
pub const CARD: &str = "Card";
pub const PAYPAL: &str = "PayPal";
pub const PLACE_ORDER: &str = "Place order";
pub const ORDER_PLACED: &str = "Your order is placed.";
pub const PAY_NOW: &str = "Continue to payment";
pub const PAY_INTRO: &str =
    "Pay at the payment provider's checkout; the order ships once it is paid.";
pub const ORDER_HISTORY: &str = "Order history";
pub const NO_ORDERS: &str = "No orders yet.";
pub const CHECKOUT_DONE: &str =
    "Thank you. The order ships once the payment provider confirms the payment; its status is below.";
pub const CHECKOUT_CANCELLED: &str =
    "The checkout was left and nothing was charged. Continue to payment from the order below when you are ready.";
pub const ORDER: &str = "Order";
pub const TOTAL: &str = "Total";
pub const VERIFICATION_CODE_SHORT: &str = "Verification code";
pub const TRACKING_NUMBER: &str = "Tracking number";
pub const PLACED: &str = "Placed";

// Staff console
pub const STAFF_CONSOLE: &str = "Staff console";
pub const STAFF_NAV_LABEL: &str = "Staff console";
pub const FIND: &str = "Find";
pub const FIND_ACCOUNT: &str = "Find an account";
pub const FIND_ACCOUNT_HINT: &str = "By its email address or its login ID.";
pub const EMAIL_OR_LOGIN_ID: &str = "Email address or login ID";
pub const FIND_CANDIDATE: &str = "Find a candidate";
pub const FIND_CANDIDATE_HINT: &str =
    "By candidate ID, email on file, last name, registration number or testing ID.";
pub const SEARCH_TERM: &str = "Search";
pub const ACCOUNT: &str = "Account";
pub const NO_MATCH: &str = "Nothing matches.";
pub const REASON: &str = "Reason";
pub const REASON_HINT: &str = "Required: it goes into the audit log.";
pub const UNLOCK: &str = "Unlock";
pub const DISABLE: &str = "Disable (ends every session)";
pub const ENABLE: &str = "Enable";
pub const LOCKED: &str = "Locked";
pub const DISABLED: &str = "Disabled";
pub const FAILED_LOGINS: &str = "Failed log-ins";
pub const ROLES: &str = "Roles";
pub const MFA: &str = "Authenticator";
pub const MAPPED_RECORD: &str = "Candidate record";
pub const DONE: &str = "Done.";
pub const STAFF_REFUSED_TITLE: &str = "Staff only";
pub const CANDIDATES: &str = "Candidates";
pub const RECORD: &str = "Record";
pub const GRANT: &str = "Grant a certification";
pub const GRANT_HINT: &str = "The history says \"Manually granted\" with your reason.";
pub const CERTIFICATION_ID: &str = "Certification (catalog id)";
pub const ACTIVE_ON: &str = "Active from (YYYY-MM-DD)";
pub const EXPIRES_ON: &str = "Expires on (YYYY-MM-DD, optional)";
pub const AUDIT_LOG: &str = "Audit log";
pub const OIDC_CLIENTS: &str = "Applications";
pub const ACTOR: &str = "Actor";
pub const SUBJECT: &str = "Subject";
pub const ACTION: &str = "Action";
pub const WHEN: &str = "When";
pub const CHANGES: &str = "Changes";
pub const YES_WORD: &str = "yes";
pub const NO_WORD: &str = "no";
pub const ROLE_SUPPORT: &str = "Support";
pub const ROLE_FULFILLMENT: &str = "Fulfillment";
pub const ROLE_PROGRAM_ADMIN: &str = "Program administrator";
pub const ROLE_AUDITOR: &str = "Auditor (reads only)";
pub const SET_ROLES: &str = "Change roles";
pub const SET_ROLES_HINT: &str =
    "Only a program administrator can. Staff roles take effect at the staff member's next request.";
pub const CHANGE_EMAIL: &str = "Change the sign-in email address";
pub const CHANGE_EMAIL_HINT: &str = "For the owner, who asked support: a code goes to the new address and the owner enters it on their profile page. The old address is told.";
pub const EMAIL_CHANGE_SENT: &str = "A code went to the new address:";
pub const EDIT_RECORD: &str = "Edit the record";
pub const ACADEMY_ID: &str = "Academy ID";
pub const CREDENTIAL_NUMBERS_HINT: &str =
    "One per line: a name (a-z, 0-9, - and _), a colon, the number. They replace the record's.";
pub const CREDENTIAL_NUMBERS_FORMAT: &str =
    "Write each line as a name, a colon and the number, for example: partner: AB-123";
pub const CHANGE_STATUS: &str = "Revoke, suspend or reinstate a certification";
pub const NEW_STATUS: &str = "New status";
pub const STATUS_REVOKED: &str = "Revoked";
pub const STATUS_SUSPENDED: &str = "Suspended";
pub const STATUS_REINSTATED: &str = "Reinstated (lifts a hold)";
pub const CERTIFICATION: &str = "Certification";
pub const MERGE: &str = "Merge a duplicate record into this one";
pub const MERGE_FROM: &str = "The duplicate's candidate ID";
pub const MERGE_HINT: &str = "Its exams, CE activities, agreements, orders and transcripts move here; the duplicate then points here.";
pub const UNMAP: &str = "Unlink the record from its account";
pub const UNMAP_HINT: &str =
    "The account keeps signing in; it no longer sees this record until it is linked again.";
pub const MOVE_MAPPING: &str = "Link the record to another account";
pub const MOVE_TO_ACCOUNT: &str = "Account ID (an account with no record)";
pub const MERGED_INTO: &str = "Merged into";
pub const CATALOG: &str = "Catalog";
pub const CATALOG_VERSION: &str = "Version";
pub const CATALOG_VERSIONS: &str = "Versions";
pub const PUBLISHED: &str = "Published";
pub const PUBLISHED_BY: &str = "By";
pub const SHOW: &str = "Show";
pub const PUBLISH_CATALOG: &str = "Publish a new version";
pub const CATALOG_TEXT: &str = "The catalog (TOML)";
pub const CATALOG_HINT: &str = "It is checked as the built-in file is (see docs/catalog.md) and kept as a new version; records are judged by it from then on.";
pub const RESTORE_VERSION: &str = "Publish this version again";
pub const EMAIL_CHANGE_CONFIRM_TITLE: &str = "Confirm a new sign-in address";
pub const EMAIL_CHANGE_CONFIRM_HINT: &str = "When support changes your sign-in address at your request, a code goes to the new address. Enter it here to make the change; until then you sign in with the address above.";
pub const EMAIL_CHANGE_CODE: &str = "Code sent to the new address";
pub const EMAIL_CHANGE_CONFIRM: &str = "Confirm the new address";
pub const EMAIL_CHANGED: &str = "You now sign in with";
pub const CHOOSE_CERTIFICATION: &str = "Choose a certification from the list.";
pub const WITH_THE_RELEASE: &str = "with the release";
pub const EXPORT: &str = "Everything held about this person";
pub const EXPORT_HINT: &str = "For a person's request to see their data: the account (without any password, code or key), the record, orders, transcripts and the audit events about them, as one JSON file.";
pub const EXPORT_LINK: &str = "Download the export (JSON)";
pub const ERASE: &str = "Erase the account";
pub const ERASE_HINT: &str = "On the person's request, or to remove an improper or duplicate registration (say which in the reason). Every session ends; the account, its address and login ID go; its transcripts are deleted; orders are kept for the tax records without name, address or email; its record is unlinked and stripped of what names the person. This cannot be undone.";
pub const ERASED: &str = "Account erased";
pub const ERASED_NOTICE: &str =
    "The account is erased; the audit log keeps a tombstone that names no one.";
pub const TRANSCRIPTS_DELETED: &str = "Transcripts deleted";
pub const ORDERS_BLANKED: &str = "Orders kept without personal details";
pub const ORDERS: &str = "Orders";
pub const ORDER_QUEUE: &str = "The fulfillment queue";
pub const ORDERS_SINCE: &str = "Placed on or after (YYYY-MM-DD, optional)";
pub const DOWNLOAD_CSV: &str = "Download these orders (CSV)";
pub const SHIP_TO: &str = "Ship to";
pub const ORDER_STATUS_PENDING_PAYMENT: &str = "Waiting for payment";
pub const ORDER_STATUS_QUEUED: &str = "In the queue";
pub const ORDER_STATUS_SENT: &str = "Sent";
pub const ORDER_STATUS_COMPLETE: &str = "Complete";
pub const ORDER_STATUS_CANCELLED: &str = "Cancelled";
pub const ORDER_STATUS_REFUNDED: &str = "Refunded";
pub const REPORT_SENT: &str = "Report it sent";
pub const REPORT_SENT_HINT: &str =
    "The candidate is emailed that it is on its way, with the carrier's number if there is one.";
pub const TRACKING_NUMBER_OPTIONAL: &str = "Tracking number (optional)";
pub const REPORT_COMPLETE: &str = "Report it complete";
pub const CANCEL_ORDER: &str = "Cancel the order";
pub const CANCEL_ORDER_HINT: &str =
    "Only before it ships. Initial kits in it may be claimed again; a payment is not refunded by this.";
pub const REPRINT: &str = "Send it again (reprint)";
pub const REPRINT_HINT: &str = "For a kit lost or damaged on its way: the same kits and verification codes to the same address, free, queued at once.";
pub const REPRINT_QUEUED: &str = "The reprint is queued.";
pub const REFUND: &str = "Refund";
pub const REFUND_HINT: &str =
    "The whole payment back through the payment provider; the candidate is emailed.";
pub const REFUND_ID: &str = "Refund";
pub const REPRINT_OF: &str = "Reprint of";
pub const ITEMS: &str = "Kits";

// The OpenID Connect provider's pages.
pub const OIDC_REFUSED_TITLE: &str = "This sign-in link cannot be used";
pub const OIDC_CONSENT_TITLE: &str = "Allow access to your account?";
pub const OIDC_CONSENT_INTRO: &str =
    "wants to use your account to sign you in. It will be able to see:";
pub const OIDC_SCOPE_OPENID: &str = "who you are: an identifier for your account";
pub const OIDC_SCOPE_PROFILE: &str = "your name and login ID";
pub const OIDC_SCOPE_EMAIL: &str = "your email address";
pub const OIDC_SCOPE_ACCESS: &str =
    "your access levels (customer, partner) and any special access you were given";
pub const OIDC_CONSENT_REMEMBERED: &str =
    "You will not be asked again for this application unless it asks for more.";
pub const OIDC_ALLOW: &str = "Allow";
pub const OIDC_DENY: &str = "Deny";
pub const OIDC_LOGOUT_TITLE: &str = "Sign out?";
pub const OIDC_LOGOUT_INTRO: &str =
    "An application asked to sign you out of your account here and of your session with it.";
pub const OIDC_SIGN_OUT: &str = "Sign out";
pub const OIDC_SIGNED_OUT_TITLE: &str = "You are signed out";
pub const OIDC_SIGNED_OUT: &str = "You are signed out. You can close this window.";
pub const OIDC_BAD_LOGOUT: &str = "The application asked to return you to an address it has not registered, so you were not signed out from here.";
pub const OIDC_NO_CLIENTS: &str = "No application is registered yet.";
pub const OIDC_CLIENT_NAME: &str = "Application name";
pub const OIDC_CLIENT_ID: &str = "Client ID";
pub const OIDC_CLIENT_TYPE: &str = "Kind";
pub const OIDC_CONFIDENTIAL: &str = "Confidential (a server that keeps a secret)";
pub const OIDC_PUBLIC: &str = "Public (a browser or mobile app: PKCE only)";
pub const OIDC_REDIRECT_URIS: &str = "Redirect addresses";
pub const OIDC_POST_LOGOUT_URIS: &str = "Addresses after sign-out";
pub const OIDC_URIS_HINT: &str = "One per line, exactly as the application sends them: HTTPS, or HTTP to 127.0.0.1 for a local app.";
pub const OIDC_ENABLED: &str = "Enabled";
pub const OIDC_DISABLED: &str = "Disabled";
pub const OIDC_DISABLE: &str = "Disable";
pub const OIDC_DISABLE_HINT: &str =
    "The application can no longer sign anyone in or redeem tokens.";
pub const OIDC_REGISTER: &str = "Register an application";
pub const OIDC_REGISTER_HINT: &str =
    "The application signs people in with their account here (OpenID Connect, with PKCE).";
pub const OIDC_REGISTERED: &str = "Registered. Client ID:";
pub const OIDC_SECRET_ONCE: &str = "Client secret (copy it now; it is not shown again):";

// The profile's "Access Management" page (seed 001's registration help).
pub const ACCESS_TITLE: &str = "Access management";
pub const ACCESS_INTRO: &str = "Every account has guest access. A service contract number makes you a customer; a partner agreement number makes you a partner. Each number is checked against the registry, and your access lasts as long as the contract or agreement.";
pub const ACCESS_LEVELS: &str = "Your access levels";
pub const ACCESS_GUEST: &str = "Guest";
pub const ACCESS_CUSTOMER: &str = "Customer";
pub const ACCESS_PARTNER: &str = "Partner";
pub const ACCESS_RESOURCE: &str = "Special access";
pub const ACCESS_ENTITLEMENTS: &str = "Where your access comes from";
pub const ACCESS_NONE: &str = "Nothing beyond guest access yet.";
pub const ACCESS_GRANTED: &str = "Since";
pub const ACCESS_UNTIL: &str = "until";
pub const ACCESS_NO_END: &str = "No end date";
pub const ACCESS_SERVICE_CONTRACT: &str = "Service contract";
pub const ACCESS_PARTNER_AGREEMENT: &str = "Partner agreement";
pub const ACCESS_SPONSORED: &str = "Sponsored by a partner, under agreement";
pub const ACCESS_CODE_SOURCE: &str = "A special access code";
pub const ACCESS_CLAIM_TITLE: &str = "Upgrade your access";
pub const ACCESS_CLAIM_HINT: &str = "A product serial number or a purchase order number cannot be used. If you do not know your company's number, ask your service contract sales representative.";
pub const ACCESS_KIND: &str = "Kind of number";
pub const ACCESS_NUMBER: &str = "Contract or agreement number";
pub const ACCESS_CLAIM: &str = "Add access";
pub const ACCESS_CLAIMED: &str = "Your access is updated.";
pub const ACCESS_CODE_TITLE: &str = "Use a special access code";
pub const ACCESS_CODE_HINT: &str = "A customer engineer gives you a code for one file or resource when you cannot wait for your registration.";
pub const ACCESS_CODE: &str = "Special access code";
pub const ACCESS_REDEEM: &str = "Use code";
pub const ACCESS_SPONSOR_TITLE: &str = "Sponsor a customer";
pub const ACCESS_SPONSOR_HINT: &str = "As a partner you can give a customer access under your agreement, in advance: they get it when they sign in with this address, for as long as your agreement lasts.";
pub const ACCESS_CUSTOMER_EMAIL: &str = "Customer's email address";
pub const ACCESS_SPONSOR: &str = "Sponsor";
pub const ACCESS_SPONSORED_DONE: &str =
    "Sponsored. The customer gets access when they sign in with that address.";

// Federated sign-in through an organisation's provider.
pub const FEDERATION_FAILED_TITLE: &str = "Signing in through your organisation did not work";
pub const FEDERATION_BAD_EMAIL: &str = "Enter your email address on the log-in page first.";
pub const FEDERATION_UNREACHABLE: &str =
    "Your organisation's sign-in page cannot be reached right now. Try again in a few minutes.";
pub const FEDERATION_CANCELLED: &str = "The sign-in was cancelled or refused at your organisation. Try again, or ask your company administrator.";
pub const FEDERATION_NOT_STARTED: &str = "This sign-in was not started in this browser, was finished already, or took too long. Start again from the log-in page.";
pub const FEDERATION_NOT_VOUCHED: &str = "Your organisation did not confirm an email address of its own domain, so you cannot be signed in with it. Ask your company administrator.";
pub const FEDERATION_REFUSED: &str = "Your organisation's answer could not be accepted. Try again; if it keeps happening, tell support.";
pub const FEDERATION_DISABLED: &str = "This account is disabled. Contact support.";
pub const FEDERATION_STAFF: &str = "This is a staff account: it keeps its own password and authenticator, and is not signed in through the organisation.";
pub const CONTINUING: &str = "Continuing…";
pub const SIGN_IN_WITH_PASSWORD: &str = "Log in with your password instead";
pub const SIGNING_IN_WITH_PASSWORD: &str =
    "You are logging in with your password and authenticator, not through your organisation.";

// The staff console's pages for organisations' providers and special access codes.
pub const FEDERATION_PROVIDERS: &str = "Organisations";
pub const FEDERATION_NO_PROVIDERS: &str =
    "No organisation signs its people in through its own provider yet.";
pub const FEDERATION_NAME: &str = "Organisation";
pub const FEDERATION_ISSUER: &str = "Issuer";
pub const FEDERATION_ISSUER_HINT: &str =
    "The provider's issuer address (HTTPS); its discovery document is read from there.";
pub const FEDERATION_CLIENT_ID: &str = "Client ID at the provider";
pub const FEDERATION_CLIENT_SECRET: &str = "Client secret at the provider";
pub const FEDERATION_CLIENT_SECRET_HINT: &str =
    "Sealed when saved and never shown again; leave empty for a public client (PKCE only).";
pub const FEDERATION_DOMAINS: &str = "Email domains";
pub const FEDERATION_DOMAINS_HINT: &str =
    "One per line, such as example.com: people with these addresses sign in at the organisation.";
pub const FEDERATION_DEFAULT_COUNTRY: &str = "Country of new accounts";
pub const FEDERATION_REGISTER: &str = "Register an organisation";
pub const FEDERATION_REGISTER_HINT: &str =
    "Register this address at the provider as the redirect address:";
pub const FEDERATION_REGISTERED: &str = "Registered. Its people now sign in at their organisation.";
pub const FEDERATION_DISABLE: &str = "Disable";
pub const FEDERATION_DISABLE_HINT: &str =
    "Its people sign in with a password again (after a reset: their accounts have none).";
pub const ACCESS_CODES: &str = "Access codes";
pub const ACCESS_CODES_INTRO: &str = "A special access code gives one person access to one resource until its date, when they cannot wait for their registration. It works once.";
pub const ACCESS_CODE_RESOURCE: &str = "Resource";
pub const ACCESS_CODE_RESOURCE_HINT: &str =
    "Letters, digits, hyphens, dots or underscores, such as docs.release-notes.";
pub const ACCESS_CODE_EXPIRES: &str = "Works until (YYYY-MM-DD)";
pub const ACCESS_CODE_ISSUE: &str = "Issue a code";
pub const ACCESS_CODE_ISSUED: &str = "Give this code to the person now; it is not shown again:";
