//! An organization's message templates (seed 000's "customize email template").

use serde::{Deserialize, Serialize};

use crate::model::{Channel, MessageKind};

request_type! {
    /// An organization's own template for one kind of message. Variables are written
    /// `{{name}}` (see `variables` in the template's view); values are HTML-escaped in
    /// `html`. An SMS template is only a `text`.
    pub struct SetTemplate {
        #[serde(default)]
        pub subject: String,
        pub text: String,
        #[serde(default)]
        pub html: String,
    }
}

api_type! {
    /// The template a kind of message is sent with: the organization's own, or the shipped
    /// default.
    pub struct TemplateView {
        pub kind: MessageKind,
        pub channel: Channel,
        /// `true` for the organization's own template, `false` for the shipped default.
        pub custom: bool,
        pub subject: String,
        pub text: String,
        pub html: String,
        /// The variables a message of this kind is given.
        pub variables: Vec<String>,
        /// The variable the text (and, for email, the HTML) must contain.
        pub required: Option<String>,
        /// RFC 3339, for the organization's own template.
        pub updated_at: Option<String>,
    }
}

api_type! {
    pub struct TemplateList {
        pub templates: Vec<TemplateView>,
    }
}

request_type! {
    /// What to preview: a draft (`text` given: checked as it would be stored), or, with no
    /// body fields, the template in use. `application_id` names the application the sample
    /// is for (the organization's name otherwise).
    pub struct PreviewTemplate {
        #[serde(default)]
        pub subject: Option<String>,
        #[serde(default)]
        pub text: Option<String>,
        #[serde(default)]
        pub html: Option<String>,
        #[serde(default)]
        pub application_id: Option<String>,
    }
}

api_type! {
    /// A template rendered with sample values.
    pub struct TemplatePreview {
        pub kind: MessageKind,
        pub channel: Channel,
        pub subject: String,
        pub text: String,
        pub html: String,
    }
}
