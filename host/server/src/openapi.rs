//! The OpenAPI document of `/api/v1/`, served at `/api/v1/openapi.json`. The table of
//! operations is also what the access tests walk.

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Ref, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, RefOr, Required,
    ResponseBuilder,
};

/// One API operation: method, path (with `{param}`s), summary in Chinese, and whether it is
/// readable without signing in.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Readable without signing in.
    pub public: bool,
}

const fn op(method: &'static str, path: &'static str, summary: &'static str, public: bool) -> Operation {
    Operation { method, path, summary, public }
}

/// Every operation of the API. Pages have the same paths without `/api/v1`.
pub const OPERATIONS: &[Operation] = &[
    op("POST", "/api/v1/session", "登录：{username, password}，返回 csrf 令牌并设置会话 Cookie", true),
    op("GET", "/api/v1/me", "当前账号、可见范围、轮次与单位", false),
    op("GET", "/api/v1/units/{id}", "单位信息、下属单位与历轮结果", false),
    op("GET", "/api/v1/rounds", "评估轮次列表与可用评估方案", false),
    op("POST", "/api/v1/rounds", "新建轮次（市级管理员）：{plan, previous}", false),
    op("GET", "/api/v1/rounds/{id}", "轮次状态、进度与可见范围内的结果", false),
    op("POST", "/api/v1/rounds/{id}/{action}", "锁定（lock）、解锁（unlock）、运行（run）、发布（publish）", false),
    op("GET", "/api/v1/rounds/{id}/results/{unit}", "单位结果：得分、指标数值、标准、计算方法与依据", false),
    op("GET", "/api/v1/rounds/{id}/data/{unit}", "单位填报的各版本", false),
    op("POST", "/api/v1/rounds/{id}/data/{unit}", "上传数据（multipart：file）；有问题时 422 并列出全部问题", false),
    op("GET", "/api/v1/rounds/{id}/visits/{school}", "挂牌督导与学校自我督导记录", false),
    op("POST", "/api/v1/rounds/{id}/visits/{school}", "记录挂牌督导（八项事项）或学校自我督导", false),
    op("GET", "/api/v1/items", "可见范围内的整改事项", false),
    op("GET", "/api/v1/items/{id}", "整改事项与整改报告", false),
    op("POST", "/api/v1/items/{id}/reports", "提交整改报告（multipart：body、file）", false),
    op("POST", "/api/v1/items/{id}/decision", "审核整改报告：{decision: accept|return, comment}", false),
    op("GET", "/api/v1/packs", "县级指标包列表（县级管理员：本县；市级：全部）", false),
    op(
        "POST",
        "/api/v1/packs",
        "上传县级指标包（县级管理员，multipart：file、round=轮次编号或 future）；不符合分层规则时 422 并列出全部问题",
        false,
    ),
    op("GET", "/api/v1/packs/{id}", "县级指标包：编号、版本、sha256、指标、审核状态", false),
    op(
        "POST",
        "/api/v1/packs/{id}/decision",
        "审核县级指标包（市级管理员）：{decision: approve|reject, reason, bonus_cap}",
        false,
    ),
    op("GET", "/api/v1/orders", "督办单：逾期未整改事项，按责任单位", false),
    op("GET", "/api/v1/audit", "审计日志（市级）", false),
    op("GET", "/api/v1/public/rounds", "已发布轮次（公开）", true),
    op("GET", "/api/v1/public/rounds/{id}", "已发布轮次的公开结果", true),
    op("GET", "/api/v1/openapi.json", "本文档", true),
];

fn named(name: &str) -> RefOr<Schema> {
    Ref::from_schema_name(name).into()
}

fn of(kind: Type) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(kind).build().into()
}

fn list(item: RefOr<Schema>) -> RefOr<Schema> {
    ArrayBuilder::new().items(item).build().into()
}

/// An object with these properties, all present.
fn object(properties: Vec<(&str, RefOr<Schema>)>) -> RefOr<Schema> {
    let mut builder = ObjectBuilder::new();
    for (name, schema) in properties {
        builder = builder.property(name, schema).required(name);
    }
    builder.build().into()
}

/// One row of a result list (a unit's overall score and grade; the schools below it and the
/// not-met findings of it and below it).
fn result_row() -> RefOr<Schema> {
    object(vec![
        ("unit_id", of(Type::String)),
        ("name", of(Type::String)),
        ("county_id", of(Type::String)),
        ("zone_id", of(Type::String)),
        ("total", of(Type::Number)),
        ("grade", of(Type::String)),
        ("schools", of(Type::Integer)),
        ("not_met", of(Type::Integer)),
    ])
}

/// The query parameters that turn the pages of an operation's lists (`crate::paging`).
fn page_parameters(method: &str, path: &str) -> &'static [&'static str] {
    match (method, path) {
        ("GET", "/api/v1/rounds/{id}") => &["county_page", "zone_page", "school_page"],
        ("GET", "/api/v1/me" | "/api/v1/units/{id}" | "/api/v1/rounds/{id}/results/{unit}" | "/api/v1/items") => {
            &["page"]
        }
        _ => &[],
    }
}

/// The body of a successful response, for the operations whose JSON has a fixed shape.
fn success_schema(method: &str, path: &str) -> Option<RefOr<Schema>> {
    Some(match (method, path) {
        ("GET", "/api/v1/rounds") => object(vec![
            ("rounds", list(named("RoundInfo"))),
            ("can_create", of(Type::Boolean)),
            ("plans", list(of(Type::String))),
        ]),
        ("POST", "/api/v1/rounds") => object(vec![("id", of(Type::Integer))]),
        ("GET", "/api/v1/rounds/{id}") => object(vec![
            ("round", named("RoundInfo")),
            ("has_results", of(Type::Boolean)),
            (
                "groups",
                list(object(vec![
                    ("level", of(Type::String)),
                    ("title", of(Type::String)),
                    ("rows", list(result_row())),
                    ("page", named("Page")),
                ])),
            ),
        ]),
        ("GET", "/api/v1/rounds/{id}/results/{unit}") => object(vec![
            ("round", named("RoundInfo")),
            ("name", of(Type::String)),
            ("level_chinese", of(Type::String)),
            (
                "detail",
                object(vec![
                    ("scores", list(of(Type::Object))),
                    ("overall", of(Type::Object)),
                    ("indicators", list(of(Type::Object))),
                ]),
            ),
            ("children", list(result_row())),
            ("page", named("Page")),
        ]),
        ("POST", "/api/v1/rounds/{id}/data/{unit}") => named("UploadOutcome"),
        ("GET", "/api/v1/audit") => object(vec![("entries", list(named("AuditEntry")))]),
        ("GET", "/api/v1/packs") => object(vec![
            ("packs", list(named("LocalPack"))),
            ("can_upload", of(Type::Boolean)),
            ("rounds", list(named("RoundInfo"))),
            ("max_mib", of(Type::Integer)),
        ]),
        ("POST", "/api/v1/packs") => named("PackUploadOutcome"),
        ("GET", "/api/v1/packs/{id}") => {
            object(vec![("pack", named("LocalPack")), ("round", named("RoundInfo")), ("can_decide", of(Type::Boolean))])
        }
        ("POST", "/api/v1/packs/{id}/decision") => {
            object(vec![("ok", of(Type::Boolean)), ("pack", named("LocalPack"))])
        }
        ("GET", "/api/v1/public/rounds/{id}") => object(vec![
            ("id", of(Type::Integer)),
            ("title", of(Type::String)),
            ("published_at", of(Type::String)),
            (
                "counties",
                list(object(vec![
                    ("id", of(Type::String)),
                    ("name", of(Type::String)),
                    ("total", of(Type::Number)),
                    ("grade", of(Type::String)),
                ])),
            ),
            ("report", of(Type::String)),
        ]),
        _ => return None,
    })
}

/// The `page` object of a paged list (`crate::paging::Page::json`).
fn page_schema() -> ObjectBuilder {
    let fields = [
        ("number", Type::Integer, "页码，从 1 起"),
        ("pages", Type::Integer, "总页数"),
        ("total", Type::Integer, "总条数"),
        ("size", Type::Integer, "每页条数"),
        ("first", Type::Integer, "本页第一条的序号"),
        ("last", Type::Integer, "本页最后一条的序号"),
        ("param", Type::String, "翻页的查询参数名"),
        ("previous", Type::Integer, "上一页，无则为 null"),
        ("next", Type::Integer, "下一页，无则为 null"),
    ];
    let mut builder = ObjectBuilder::new().description(Some("列表的一页"));
    for (name, kind, description) in fields {
        builder = builder.property(name, ObjectBuilder::new().schema_type(kind).description(Some(description)));
    }
    builder.required("number").required("pages").required("total")
}

/// The OpenAPI document.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for operation in OPERATIONS {
        let json = |schema: RefOr<Schema>| ContentBuilder::new().schema(Some(schema)).build();
        let mut success = ResponseBuilder::new().description("成功");
        if let Some(schema) = success_schema(operation.method, operation.path) {
            success = success.content("application/json", json(schema));
        }
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content("application/json", json(named("ErrorBody")))
                .build()
        };
        let mut builder = OperationBuilder::new()
            .summary(Some(operation.summary))
            .tag(if operation.public { "public" } else { "platform" })
            .response("200", success.build())
            .response("404", error("不存在或无权访问"));
        if matches!(operation.path, "/api/v1/packs" | "/api/v1/rounds/{id}/data/{unit}") && operation.method == "POST" {
            let schema = success_schema(operation.method, operation.path).unwrap_or_else(|| named("ErrorBody"));
            builder = builder.response(
                "422",
                ResponseBuilder::new()
                    .description("有问题：列出全部问题，未保存")
                    .content("application/json", json(schema))
                    .build(),
            );
        }
        if !operation.public {
            builder = builder
                .response("401", error("未登录"))
                .response("403", error("角色无权，或 CSRF 令牌无效"))
                .security(SecurityRequirement::new("session", Vec::<String>::new()));
        }
        for segment in operation.path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                builder = builder.parameter(
                    ParameterBuilder::new().name(name).parameter_in(ParameterIn::Path).required(Required::True),
                );
            }
        }
        for name in page_parameters(operation.method, operation.path) {
            builder = builder.parameter(
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .schema(Some(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1))))
                    .description(Some(format!("页码（每页 {} 条，超出范围时取最近的一页）", crate::paging::PAGE_SIZE))),
            );
        }
        if operation.method == "POST" && !operation.public {
            builder = builder.parameter(
                ParameterBuilder::new()
                    .name("X-CSRF-Token")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::True)
                    .description(Some("会话的 CSRF 令牌（登录时返回）")),
            );
        }
        let method = if operation.method == "POST" { HttpMethod::Post } else { HttpMethod::Get };
        paths = paths.path(operation.path, PathItem::new(method, builder.build()));
    }
    OpenApiBuilder::new()
        .info(InfoBuilder::new().title("督导综合管理平台 API").version(env!("CARGO_PKG_VERSION")).build())
        .paths(paths.build())
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(
                    "session",
                    SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
                )
                .schema_from::<crate::engine::RoundInfo>()
                .schema_from::<crate::upload::UploadOutcome>()
                .schema_from::<crate::upload::Problem>()
                .schema_from::<crate::model::AuditEntry>()
                .schema_from::<crate::packs::LocalPack>()
                .schema_from::<crate::packs::PackIndicator>()
                .schema_from::<crate::packs::PackUploadOutcome>()
                .schema("Page", page_schema())
                .schema(
                    "ErrorBody",
                    ObjectBuilder::new()
                        .property(
                            "error",
                            ObjectBuilder::new().schema_type(Type::String).description(Some("出错原因（中文）")),
                        )
                        .required("error"),
                )
                .build(),
        ))
        .build()
}
