//! An organization's own message templates: stored per kind, checked against the variables
//! the kind provides before they are kept, previewed with sample values, and used by
//! [`render`] when a message of that kind is delivered. A kind without one is sent with the
//! shipped default.

use std::borrow::Cow;

use crate::api::{PreviewTemplate, SetTemplate, TemplateList, TemplatePreview, TemplateView};
use crate::authn::passwordless::lifetime_minutes;
use crate::delivery::templates::{self, Kind, Template};
use crate::delivery::{Draft, Message};
use crate::events::{emit, event};
use crate::model::MessageTemplate;
use crate::store::{AppStore, EventStore, OrgStore, TemplateStore};
use crate::time::rfc3339;
use crate::Error;

/// The kind a path names; an unknown one is not found.
pub fn kind(name: &str) -> Result<Kind, Error> {
    Kind::parse(name).ok_or(Error::NotFound)
}

fn template_of(t: &MessageTemplate) -> Template {
    Template {
        subject: Cow::Owned(t.subject.clone()),
        text: Cow::Owned(t.text.clone()),
        html: Cow::Owned(t.html.clone()),
    }
}

fn view(kind: Kind, own: Option<&MessageTemplate>) -> TemplateView {
    let shipped = templates::default_template(kind);
    let (subject, text, html) = match own {
        Some(t) => (t.subject.clone(), t.text.clone(), t.html.clone()),
        None => (
            shipped.subject.to_string(),
            shipped.text.to_string(),
            shipped.html.to_string(),
        ),
    };
    TemplateView {
        kind,
        channel: kind.channel(),
        custom: own.is_some(),
        subject,
        text,
        html,
        variables: kind.variables().into_iter().map(str::to_owned).collect(),
        required: kind.required().map(str::to_owned),
        updated_at: own.map(|t| rfc3339(t.updated_at)),
    }
}

/// `GET /api/v1/templates`: every kind, with the template it is sent with.
pub async fn list(store: &impl TemplateStore, org_id: &str) -> Result<TemplateList, Error> {
    let own = store.list_templates(org_id).await?;
    let templates = Kind::ALL
        .into_iter()
        .map(|k| view(k, own.iter().find(|t| t.kind == k)))
        .collect();
    Ok(TemplateList { templates })
}

/// `GET /api/v1/templates/{kind}`.
pub async fn get(
    store: &impl TemplateStore,
    org_id: &str,
    kind: Kind,
) -> Result<TemplateView, Error> {
    Ok(view(kind, store.get_template(org_id, kind).await?.as_ref()))
}

/// `PUT /api/v1/templates/{kind}`: checks and stores the organization's own template.
pub async fn set(
    store: &(impl TemplateStore + EventStore),
    org_id: &str,
    actor: &str,
    kind: Kind,
    body: SetTemplate,
    now: i64,
) -> Result<TemplateView, Error> {
    let own = MessageTemplate {
        kind,
        subject: body.subject,
        text: body.text,
        html: body.html,
        updated_at: now,
    };
    templates::validate(kind, &template_of(&own))?;
    store.put_template(org_id, &own).await?;
    emit(
        store,
        event(org_id, "template.updated", now)
            .actor(actor)
            .detail("kind", kind.as_str()),
    )
    .await?;
    Ok(view(kind, Some(&own)))
}

/// `DELETE /api/v1/templates/{kind}`: back to the shipped default.
pub async fn reset(
    store: &(impl TemplateStore + EventStore),
    org_id: &str,
    actor: &str,
    kind: Kind,
    now: i64,
) -> Result<(), Error> {
    if !store.delete_template(org_id, kind).await? {
        return Err(Error::NotFound);
    }
    emit(
        store,
        event(org_id, "template.reset", now)
            .actor(actor)
            .detail("kind", kind.as_str()),
    )
    .await
}

/// `POST /api/v1/templates/{kind}/preview`: a draft (checked as [`set`] would), or the
/// template in use, rendered with sample values.
pub async fn preview(
    store: &(impl TemplateStore + AppStore + OrgStore),
    org_id: &str,
    kind: Kind,
    body: PreviewTemplate,
    now: i64,
) -> Result<TemplatePreview, Error> {
    let application = match &body.application_id {
        Some(id) => {
            store
                .get_app(org_id, id)
                .await?
                .ok_or(Error::NotFound)?
                .name
        }
        None => store.get_org(org_id).await?.ok_or(Error::NotFound)?.name,
    };
    let template = match (body.subject, body.text, body.html) {
        (None, None, None) => match store.get_template(org_id, kind).await? {
            Some(own) => template_of(&own),
            None => templates::default_template(kind).clone(),
        },
        (subject, text, html) => {
            let draft = Template {
                subject: Cow::Owned(subject.unwrap_or_default()),
                text: Cow::Owned(text.unwrap_or_default()),
                html: Cow::Owned(html.unwrap_or_default()),
            };
            templates::validate(kind, &draft)?;
            draft
        }
    };
    let vars = templates::sample(&application, lifetime_minutes(kind), now);
    let r = templates::render(&template, &vars);
    Ok(TemplatePreview {
        kind,
        channel: kind.channel(),
        subject: r.subject,
        text: r.text,
        html: r.html,
    })
}

/// The message `draft` becomes for organization `org_id`: with its own template for the
/// draft's kind, or the shipped one. A store that cannot be read sends the shipped one: a
/// sign-in code in the default words beats none.
pub async fn render(store: &impl TemplateStore, org_id: &str, draft: &Draft) -> Message {
    let own = store.get_template(org_id, draft.kind).await.ok().flatten();
    draft.render(own.as_ref().map(template_of).as_ref())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use pollster::block_on;

    use super::*;
    use crate::api::CreateApplication;
    use crate::delivery::templates::Vars;
    use crate::rand::TestRng;
    use crate::store::memory::MemoryStore;
    use crate::store::EventStore;
    use crate::test_fixtures::{self as fixtures, NOW};

    fn body(subject: &str, text: &str, html: &str) -> SetTemplate {
        SetTemplate {
            subject: subject.into(),
            text: text.into(),
            html: html.into(),
        }
    }

    fn two_orgs() -> (MemoryStore, String, String, String) {
        let store = MemoryStore::new();
        let mut rng = TestRng(7);
        let app = |name: &str| CreateApplication {
            name: name.into(),
            ..Default::default()
        };
        let (a, web) = fixtures::org_and_app(&store, &mut rng, "Org A", app("Web <A>"));
        let (b, _) = fixtures::org_and_app(&store, &mut rng, "Org B", app("Web B"));
        (store, a, b, web.id)
    }

    fn code_draft() -> Draft {
        Draft::new(
            Kind::MagicCode,
            "ann@example.com",
            Vars::new().set("application", "Web").set("code", "654321"),
        )
    }

    #[test]
    fn test_custom_templates_replace_the_default_for_their_organization_only() {
        let (store, a, b, _) = two_orgs();
        let list = block_on(list(&store, &a)).unwrap();
        assert_eq!(list.templates.len(), Kind::ALL.len());
        assert!(list.templates.iter().all(|t| !t.custom));
        let own = body(
            "Code {{code}}",
            "Enter {{code}} in {{application}}.",
            "<p>Enter <b>{{code}}</b></p>",
        );
        let view = block_on(set(&store, &a, "api_key:k1", Kind::MagicCode, own, NOW)).unwrap();
        assert!(view.custom);
        assert_eq!(view.required.as_deref(), Some("code"));
        assert!(view.variables.contains(&"expires_minutes".to_owned()));
        assert!(view.updated_at.is_some());

        let Message::Email(mine) = block_on(render(&store, &a, &code_draft())) else {
            panic!("an email kind renders an email")
        };
        assert_eq!(mine.subject, "Code 654321");
        assert_eq!(mine.text, "Enter 654321 in Web.");
        assert_eq!(mine.html, "<p>Enter <b>654321</b></p>");
        let Message::Email(theirs) = block_on(render(&store, &b, &code_draft())) else {
            panic!("an email kind renders an email")
        };
        assert_eq!(
            theirs.subject, "654321 is your Web code",
            "B keeps the default"
        );
        assert!(!block_on(get(&store, &b, Kind::MagicCode)).unwrap().custom);

        // The change is a security event of A's, naming who made it.
        let page = crate::model::Page {
            limit: 10,
            offset: 0,
        };
        let (events, _) = block_on(store.list_events(&a, Some("template.updated"), page)).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].actor.as_deref(), Some("api_key:k1"));
        assert_eq!(events[0].detail["kind"], "magic_code");

        // B cannot reset A's template, and a reset brings the default back.
        assert_eq!(
            block_on(reset(&store, &b, "", Kind::MagicCode, NOW)).unwrap_err(),
            Error::NotFound
        );
        block_on(reset(&store, &a, "", Kind::MagicCode, NOW)).unwrap();
        assert!(!block_on(get(&store, &a, Kind::MagicCode)).unwrap().custom);
        assert_eq!(
            block_on(reset(&store, &a, "", Kind::MagicCode, NOW)).unwrap_err(),
            Error::NotFound
        );
    }

    #[test]
    fn test_custom_templates_are_checked_before_they_are_kept() {
        let (store, a, _, _) = two_orgs();
        let bad = body("Sign in", "no link here", "<p>none</p>");
        let err = block_on(set(&store, &a, "", Kind::MagicLink, bad, NOW)).unwrap_err();
        assert_eq!(err.code(), "INVALID_TEMPLATE");
        assert!(!block_on(get(&store, &a, Kind::MagicLink)).unwrap().custom);
        assert_eq!(kind("magic_link").unwrap(), Kind::MagicLink);
        assert_eq!(kind("nope").unwrap_err(), Error::NotFound);
    }

    #[test]
    fn test_custom_template_preview_renders_drafts_and_the_template_in_use() {
        let (store, a, b, web) = two_orgs();
        let draft = PreviewTemplate {
            subject: Some("Reset for {{application}}".into()),
            text: Some("{{link}} ({{expires_minutes}} min)".into()),
            html: Some("<a href=\"{{link}}\">{{application}}</a>".into()),
            application_id: Some(web.clone()),
        };
        let p = block_on(preview(&store, &a, Kind::PasswordReset, draft.clone(), NOW)).unwrap();
        assert_eq!(p.subject, "Reset for Web <A>");
        assert_eq!(
            p.text,
            "https://auth.example.com/magic-link#example-token (30 min)"
        );
        assert_eq!(
            p.html,
            "<a href=\"https://auth.example.com/magic-link#example-token\">Web &lt;A&gt;</a>"
        );
        // Another organization's application is not found; a bad draft is refused.
        assert_eq!(
            block_on(preview(&store, &b, Kind::PasswordReset, draft, NOW)).unwrap_err(),
            Error::NotFound
        );
        let broken = PreviewTemplate {
            text: Some("no link".into()),
            ..Default::default()
        };
        let err = block_on(preview(&store, &a, Kind::PasswordReset, broken, NOW)).unwrap_err();
        assert_eq!(err.code(), "INVALID_TEMPLATE");
        // With no draft: the template in use, named after the organization.
        let p = block_on(preview(&store, &a, Kind::SmsCode, Default::default(), NOW)).unwrap();
        assert_eq!(
            p.text,
            "123456 is your Org A sign-in code. It works for 10 minutes. Never share it."
        );
        assert_eq!((p.subject.as_str(), p.html.as_str()), ("", ""));
    }
}
